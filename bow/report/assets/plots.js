/* BOW report: the plots, as inline SVG built element by element (no library, no network). */
"use strict";

BOW.plots = {};

/* One panel per metric: a bar per model group with its 95 % CI whisker. */
BOW.plots.bars = function (container, data) {
  const panels = [
    { key: "canon", label: "canon accuracy", max: 1, stat: (g) => g.canon && { v: g.canon.accuracy, ci: g.canon.ci95 },
      none: "no canon questions in this run" },
    { key: "thinking", label: "thinking (0-5)", max: 5, stat: (g) => g.thinking && { v: g.thinking.mean, ci: g.thinking.ci95 },
      none: "no judged scores in this run" },
    { key: "acting", label: "acting (0-5)", max: 5, stat: (g) => g.acting && { v: g.acting.mean, ci: g.acting.ci95 },
      none: "no judged scores in this run" },
    { key: "tam", label: "Think-Act Matching", max: 1, stat: (g) => g.tam && { v: g.tam.mean, ci: g.tam.ci95 },
      none: "no TAM scores in this run" },
  ];
  const groups = data.groups;
  if (!groups.length) return BOW.empty(container, "no model groups in this run");
  const legend = BOW.el("ul", { class: "legend", id: "bars-legend" });
  groups.forEach((g, i) => {
    const li = BOW.el("li", {});
    li.appendChild(BOW.el("span", { class: "swatch", style: "background:" + BOW.PALETTE[i % BOW.PALETTE.length] }));
    li.appendChild(document.createTextNode((i + 1) + ". " + BOW.groupLabel(data, g)));
    legend.appendChild(li);
  });
  const row = BOW.el("div", { class: "panels" });
  for (const panel of panels) {
    const box = BOW.el("figure", { class: "panel", "data-metric": panel.key });
    box.appendChild(BOW.el("figcaption", {}, panel.label));
    const stats = groups.map(panel.stat);
    if (!stats.some((s) => s && s.v !== null && s.v !== undefined)) {
      BOW.empty(box, panel.none);
    } else {
      box.appendChild(BOW.plots.barPanel(data, groups, stats, panel.max));
    }
    row.appendChild(box);
  }
  container.appendChild(row);
  container.appendChild(legend);
};

BOW.plots.barPanel = function (data, groups, stats, max) {
  const W = 240, H = 180, left = 34, bottom = 22, top = 8;
  const plotH = H - bottom - top;
  const svg = BOW.svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart bar-chart" });
  const lo = Math.min(0, ...stats.filter((s) => s && s.v !== null).map((s) => (s.ci ? s.ci[0] : s.v)));
  const y = (v) => top + plotH * (1 - (v - lo) / (max - lo));
  for (const t of [lo, (lo + max) / 2, max]) {
    svg.appendChild(BOW.svg("line", { x1: left, x2: W - 4, y1: y(t), y2: y(t), class: "grid" }));
    svg.appendChild(BOW.svg("text", { x: left - 4, y: y(t) + 4, class: "tick", "text-anchor": "end" }, BOW.fmt(t, 1)));
  }
  const slot = (W - left - 8) / groups.length;
  const bw = Math.min(40, slot * 0.7);
  groups.forEach((g, i) => {
    const s = stats[i];
    const cx = left + slot * (i + 0.5);
    svg.appendChild(BOW.svg("text", { x: cx, y: H - 6, class: "tick", "text-anchor": "middle" }, i + 1));
    if (!s || s.v === null || s.v === undefined) {
      svg.appendChild(BOW.svg("text", { x: cx, y: y(lo) - 4, class: "tick", "text-anchor": "middle" }, "n/a"));
      return;
    }
    const bar = BOW.svg("rect", {
      x: cx - bw / 2, y: Math.min(y(s.v), y(0)), width: bw, height: Math.max(1, Math.abs(y(0) - y(s.v))),
      fill: BOW.PALETTE[i % BOW.PALETTE.length], class: "bar", "data-group": BOW.groupId(g.run, g.group),
    });
    const ci = s.ci ? " [" + BOW.fmt(s.ci[0]) + ", " + BOW.fmt(s.ci[1]) + "]" : "";
    BOW.tip(bar, BOW.groupLabel(data, g) + ": " + BOW.fmt(s.v) + ci);
    svg.appendChild(bar);
    if (s.ci) {
      const [a, b] = [y(Math.min(max, s.ci[1])), y(Math.max(lo, s.ci[0]))];
      svg.appendChild(BOW.svg("line", { x1: cx, x2: cx, y1: a, y2: b, class: "whisker" }));
      svg.appendChild(BOW.svg("line", { x1: cx - 5, x2: cx + 5, y1: a, y2: a, class: "whisker" }));
      svg.appendChild(BOW.svg("line", { x1: cx - 5, x2: cx + 5, y1: b, y2: b, class: "whisker" }));
    }
  });
  return svg;
};

/* Heroes (rows) × their versions (columns), coloured by the chosen metric over the chosen items. */
BOW.plots.heatmap = function (container, items, metricKey) {
  const metric = BOW.METRICS[metricKey];
  // Canon accuracy of a version on its own canon; sibling questions belong to the leakage matrix.
  const own = (i) => metricKey !== "canon" || !i.asked_version || i.asked_version === i.version;
  const cells = {};
  for (const item of items) {
    const v = metric.item(item);
    if (v === null || v === undefined || !own(item)) continue;
    const hero = (cells[item.hero] = cells[item.hero] || {});
    (hero[item.version] = hero[item.version] || []).push(v);
  }
  const heroes = Object.keys(cells).sort();
  if (!heroes.length) {
    const none = metricKey === "canon" ? "no canon questions in these items" : "no " + metric.label + " scores in these items";
    return BOW.empty(container, none);
  }
  const cols = Math.max(...heroes.map((h) => Object.keys(cells[h]).length));
  const cw = 150, ch = 34, left = 130, top = 6;
  const W = left + cols * cw + 8, H = top + heroes.length * ch + 8;
  const svg = BOW.svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart heatmap" });
  heroes.forEach((hero, r) => {
    const yy = top + r * ch;
    svg.appendChild(BOW.svg("text", { x: left - 6, y: yy + ch / 2 + 4, class: "label", "text-anchor": "end" }, hero));
    Object.keys(cells[hero]).sort().forEach((version, c) => {
      const values = cells[hero][version];
      const m = BOW.mean(values);
      const x = left + c * cw;
      const rect = BOW.svg("rect", {
        x: x + 1, y: yy + 1, width: cw - 2, height: ch - 2, fill: BOW.heat(m / metric.max),
        class: "cell", "data-version": version, "data-value": BOW.fmt(m, 4),
      });
      BOW.tip(rect, version + ": " + metric.label + " " + BOW.fmt(m) + " (n=" + values.length + ")");
      svg.appendChild(rect);
      const slug = version.split("/").slice(1).join("/");
      const label = (slug.length > 18 ? slug.slice(0, 17) + "…" : slug) + " " + BOW.fmt(m);
      const dark = m / metric.max > 0.6;
      svg.appendChild(BOW.svg("text", { x: x + cw / 2, y: yy + ch / 2 + 4, class: dark ? "cell-text dark" : "cell-text",
        "text-anchor": "middle" }, label));
    });
  });
  container.appendChild(svg);
};

/* Per item: thinking (x) against acting (y), both 0-5; a click opens the item in the browser. */
BOW.plots.scatter = function (container, data, items, onPick) {
  const points = items.filter((i) => i.thinking !== null && i.acting !== null);
  if (!points.length) return BOW.empty(container, "no judged scores in this run (run with --judge MODEL)");
  const W = 320, H = 300, left = 40, bottom = 36, top = 10, right = 10;
  const x = (v) => left + (W - left - right) * (v / 5);
  const y = (v) => top + (H - top - bottom) * (1 - v / 5);
  const svg = BOW.svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart scatter" });
  for (let t = 0; t <= 5; t++) {
    svg.appendChild(BOW.svg("line", { x1: x(t), x2: x(t), y1: y(0), y2: y(5), class: "grid" }));
    svg.appendChild(BOW.svg("line", { x1: x(0), x2: x(5), y1: y(t), y2: y(t), class: "grid" }));
    svg.appendChild(BOW.svg("text", { x: x(t), y: H - bottom + 14, class: "tick", "text-anchor": "middle" }, t));
    svg.appendChild(BOW.svg("text", { x: left - 6, y: y(t) + 4, class: "tick", "text-anchor": "end" }, t));
  }
  svg.appendChild(BOW.svg("line", { x1: x(0), y1: y(0), x2: x(5), y2: y(5), class: "diagonal" }));
  svg.appendChild(BOW.svg("text", { x: (left + W) / 2, y: H - 4, class: "label", "text-anchor": "middle" }, "thinking"));
  svg.appendChild(BOW.svg("text", { x: 12, y: (top + H - bottom) / 2, class: "label", "text-anchor": "middle",
    transform: "rotate(-90 12 " + (top + H - bottom) / 2 + ")" }, "acting"));
  const colour = BOW.plots.groupColours(data);
  points.forEach((item, n) => {
    // Deterministic jitter so identical scores stay visible as a cloud.
    const jx = (((n * 7919) % 17) / 17 - 0.5) * 0.16, jy = (((n * 104729) % 13) / 13 - 0.5) * 0.16;
    const dot = BOW.svg("circle", {
      cx: x(item.thinking + jx), cy: y(item.acting + jy), r: 4, class: "point", "data-key": item.key,
      fill: colour[BOW.groupId(item.run, item.group)] || "#555",
    });
    BOW.tip(dot, item.version + " · " + item.scenario + "\nthinking " + BOW.fmt(item.thinking) + ", acting " +
      BOW.fmt(item.acting));
    dot.addEventListener("click", () => onPick(item.key));
    svg.appendChild(dot);
  });
  container.appendChild(svg);
};

BOW.plots.groupColours = function (data) {
  const out = {};
  data.groups.forEach((g, i) => { out[BOW.groupId(g.run, g.group)] = BOW.PALETTE[i % BOW.PALETTE.length]; });
  return out;
};

/* Per-beat TAM (cosine of think and act), stacked by model group. */
BOW.plots.tamHistogram = function (container, data, items) {
  const values = [];
  for (const item of items) {
    for (const beat of item.beats) {
      for (const s of beat.scores) {
        if (s.grader === "tam" && s.value !== null && s.value !== undefined) {
          values.push({ v: s.value, g: BOW.groupId(item.run, item.group) });
        }
      }
    }
  }
  if (!values.length) return BOW.empty(container, "no TAM scores in this run");
  const lo = Math.min(0, Math.floor(Math.min(...values.map((p) => p.v)) * 10) / 10), hi = 1, bins = 20;
  const width = (hi - lo) / bins;
  const counts = Array.from({ length: bins }, () => ({}));
  for (const p of values) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((p.v - lo) / width)));
    counts[b][p.g] = (counts[b][p.g] || 0) + 1;
  }
  const totals = counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0));
  const top = Math.max(...totals);
  const W = 420, H = 220, left = 36, bottom = 30, right = 8, head = 8;
  const svg = BOW.svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart histogram" });
  const bw = (W - left - right) / bins;
  const y = (v) => head + (H - head - bottom) * (1 - v / top);
  svg.appendChild(BOW.svg("text", { x: left - 4, y: y(top) + 4, class: "tick", "text-anchor": "end" }, top));
  svg.appendChild(BOW.svg("text", { x: left - 4, y: y(0) + 4, class: "tick", "text-anchor": "end" }, 0));
  const colour = BOW.plots.groupColours(data);
  counts.forEach((c, b) => {
    let base = 0;
    for (const [g, n] of Object.entries(c)) {
      const rect = BOW.svg("rect", { x: left + b * bw + 1, y: y(base + n), width: bw - 2,
        height: Math.max(0.5, y(base) - y(base + n)), fill: colour[g] || "#555", class: "bin" });
      const from = lo + b * width;
      BOW.tip(rect, BOW.fmt(from) + " to " + BOW.fmt(from + width) + ": " + n + " beats (" + g.split("|")[1] + ")");
      svg.appendChild(rect);
      base += n;
    }
  });
  for (const t of [lo, (lo + hi) / 2, hi]) {
    const xx = left + ((t - lo) / (hi - lo)) * (W - left - right);
    svg.appendChild(BOW.svg("text", { x: xx, y: H - bottom + 14, class: "tick", "text-anchor": "middle" }, BOW.fmt(t, 1)));
  }
  svg.appendChild(BOW.svg("text", { x: (left + W) / 2, y: H - 2, class: "label", "text-anchor": "middle" },
    "TAM per beat (" + values.length + " beats)"));
  container.appendChild(svg);
};

/* Per hero: answering version (rows) × asked version's canon (columns), from the summary's leakage. */
BOW.plots.leakage = function (container, group) {
  const heroes = Object.keys((group && group.leakage) || {}).sort();
  if (!heroes.length) return BOW.empty(container, "no canon questions with a target version in this run");
  const cw = 120, ch = 28, left = 190, head = 40;
  for (const hero of heroes) {
    const matrix = group.leakage[hero];
    const rows = Object.keys(matrix).sort();
    const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(matrix[r])))).sort();
    const W = left + cols.length * cw + 8, H = head + rows.length * ch + 6;
    const fig = BOW.el("figure", { class: "leakage-hero", "data-hero": hero });
    fig.appendChild(BOW.el("figcaption", {}, hero + ": answering version (rows) on each version's canon (columns)"));
    const svg = BOW.svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, class: "chart leakage" });
    cols.forEach((c, j) => {
      const slug = c.split("/").slice(1).join("/");
      svg.appendChild(BOW.svg("text", { x: left + j * cw + cw / 2, y: head - 8, class: "tick", "text-anchor": "middle" },
        slug.length > 18 ? slug.slice(0, 17) + "…" : slug));
    });
    rows.forEach((r, i) => {
      const yy = head + i * ch;
      svg.appendChild(BOW.svg("text", { x: left - 6, y: yy + ch / 2 + 4, class: "tick", "text-anchor": "end" }, r));
      cols.forEach((c, j) => {
        const cell = matrix[r][c];
        const rect = BOW.svg("rect", { x: left + j * cw + 1, y: yy + 1, width: cw - 2, height: ch - 2,
          fill: cell ? BOW.heat(cell.accuracy) : "#eee", class: r === c ? "cell own" : "cell" });
        BOW.tip(rect, r + " asked " + c + "'s canon: " + (cell ? BOW.fmt(cell.accuracy) + " (n=" + cell.n + ")" : "not asked"));
        svg.appendChild(rect);
        svg.appendChild(BOW.svg("text", { x: left + j * cw + cw / 2, y: yy + ch / 2 + 4,
          class: cell && cell.accuracy > 0.6 ? "cell-text dark" : "cell-text", "text-anchor": "middle" },
          cell ? BOW.fmt(cell.accuracy) + " (n=" + cell.n + ")" : "-"));
      });
    });
    fig.appendChild(svg);
    container.appendChild(fig);
  }
};
