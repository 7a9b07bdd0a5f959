/* BOW report: read the embedded data and build every section. */
"use strict";

BOW.main = function () {
  const data = JSON.parse(document.getElementById("bow-data").textContent);
  BOW.data = data;
  BOW.runsTable(document.getElementById("runs"), data);
  BOW.plots.bars(document.getElementById("plot-bars"), data);

  const heat = document.getElementById("plot-heatmap");
  const heatState = { metric: "canon", group: "" };
  const heatBox = BOW.el("div", { id: "heatmap-chart" });
  const groupIds = data.groups.map((g) => BOW.groupId(g.run, g.group));
  const names = {};
  data.groups.forEach((g) => { names[BOW.groupId(g.run, g.group)] = BOW.groupLabel(data, g); });
  const drawHeat = () => {
    BOW.clear(heatBox);
    const items = data.items.filter((i) => !heatState.group || BOW.groupId(i.run, i.group) === heatState.group);
    BOW.plots.heatmap(heatBox, items, heatState.metric);
  };
  heat.appendChild(BOW.select("heatmap-metric", "metric", Object.keys(BOW.METRICS), null, (v) => {
    heatState.metric = v; drawHeat();
  }, (k) => BOW.METRICS[k].label));
  heat.appendChild(BOW.select("heatmap-group", "model", groupIds, "all models", (v) => {
    heatState.group = v; drawHeat();
  }, (v) => names[v]));
  heat.appendChild(heatBox);
  drawHeat();

  const pick = (key) => {
    BOW.browser.show(data, key);
    document.getElementById("browser").scrollIntoView();
  };
  BOW.plots.scatter(document.getElementById("plot-scatter"), data, data.items, pick);
  BOW.plots.tamHistogram(document.getElementById("plot-tam"), data, data.items);

  const leak = document.getElementById("plot-leakage");
  const leakBox = BOW.el("div", { id: "leakage-chart" });
  const drawLeak = (id) => {
    BOW.clear(leakBox);
    BOW.plots.leakage(leakBox, data.groups.find((g) => BOW.groupId(g.run, g.group) === id));
  };
  if (groupIds.length > 1) leak.appendChild(BOW.select("leakage-group", "model", groupIds, null, drawLeak, (v) => names[v]));
  leak.appendChild(leakBox);
  drawLeak(groupIds[0]);

  BOW.browser.build(document.getElementById("browser"), data);
  document.body.setAttribute("data-ready", "true");
};

BOW.runsTable = function (container, data) {
  const table = BOW.el("table", { class: "runs", id: "runs-table" });
  const head = BOW.el("tr", {});
  for (const h of ["run", "suite", "items", "failed", "wall (s)", "created", "path"]) head.appendChild(BOW.el("th", {}, h));
  table.appendChild(head);
  for (const run of data.runs) {
    const tr = BOW.el("tr", { "data-run": run.id });
    const cells = [run.name, run.suite || "?", run.items, run.failed, BOW.fmt(run.wall_s, 1), run.created_at || "?", run.path];
    for (const c of cells) tr.appendChild(BOW.el("td", {}, c));
    table.appendChild(tr);
    if (run.summary_recomputed) {
      const note = BOW.el("tr", {});
      note.appendChild(BOW.el("td", { colspan: 7, class: "muted" }, "summary.json missing: figures recomputed from the transcripts"));
      table.appendChild(note);
    }
  }
  container.appendChild(table);
  if (data.failures.length) {
    container.appendChild(BOW.el("p", { class: "muted" }, data.failures.length + " items failed (see failures.jsonl)."));
  }
};

document.addEventListener("DOMContentLoaded", BOW.main);
