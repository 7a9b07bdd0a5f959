/* BOW report: the transcript browser (filters, item list, beats side by side with every judge). */
"use strict";

BOW.browser = {};
BOW.browser.LIST_LIMIT = 500;

BOW.browser.state = { hero: "", version: "", group: "", kind: "", canon: "", tamMin: null, tamMax: null, text: "" };

BOW.browser.matches = function (item, s) {
  if (s.hero && item.hero !== s.hero) return false;
  if (s.version && item.version !== s.version) return false;
  if (s.group && BOW.groupId(item.run, item.group) !== s.group) return false;
  if (s.kind && item.kind !== s.kind) return false;
  if (s.canon === "correct" && item.canon_correct !== true) return false;
  if (s.canon === "incorrect" && item.canon_correct !== false) return false;
  if (s.canon === "none" && item.canon_correct !== null) return false;
  if (s.tamMin !== null && !(item.tam !== null && item.tam >= s.tamMin)) return false;
  if (s.tamMax !== null && !(item.tam !== null && item.tam <= s.tamMax)) return false;
  if (s.text) {
    const hay = (item.scenario + " " + item.key + " " + (item.scenario_title || "")).toLowerCase();
    if (!hay.includes(s.text.toLowerCase())) return false;
  }
  return true;
};

BOW.browser.build = function (root, data) {
  const s = BOW.browser.state;
  const controls = BOW.el("div", { class: "filters", id: "filters" });
  const uniq = (f) => Array.from(new Set(data.items.map(f))).sort();
  const versionBox = BOW.el("span", {});
  const renderVersions = () => {
    BOW.clear(versionBox);
    const versions = uniq((i) => i.version).filter((v) => !s.hero || v.split("/")[0] === s.hero);
    if (s.version && !versions.includes(s.version)) s.version = "";
    versionBox.appendChild(BOW.select("filter-version", "version", versions, "all versions", (v) => {
      s.version = v; BOW.browser.refresh(data);
    }));
    versionBox.querySelector("select").value = s.version;
  };
  controls.appendChild(BOW.select("filter-hero", "hero", uniq((i) => i.hero), "all heroes", (v) => {
    s.hero = v; renderVersions(); BOW.browser.refresh(data);
  }));
  controls.appendChild(versionBox);
  renderVersions();
  const groupIds = data.groups.map((g) => BOW.groupId(g.run, g.group));
  const groupNames = {};
  data.groups.forEach((g) => { groupNames[BOW.groupId(g.run, g.group)] = BOW.groupLabel(data, g); });
  controls.appendChild(BOW.select("filter-model", "model", groupIds, "all models", (v) => {
    s.group = v; BOW.browser.refresh(data);
  }, (v) => groupNames[v]));
  controls.appendChild(BOW.select("filter-kind", "kind", uniq((i) => i.kind), "all kinds", (v) => {
    s.kind = v; BOW.browser.refresh(data);
  }));
  const canonLabels = { correct: "canon correct", incorrect: "canon incorrect", none: "not a canon question" };
  controls.appendChild(BOW.select("filter-canon", "canon", ["correct", "incorrect", "none"], "any", (v) => {
    s.canon = v; BOW.browser.refresh(data);
  }, (v) => canonLabels[v]));
  for (const [id, label, key] of [["filter-tam-min", "TAM ≥", "tamMin"], ["filter-tam-max", "TAM ≤", "tamMax"]]) {
    const wrap = BOW.el("label", { for: id, class: "control" }, label + " ");
    const input = BOW.el("input", { id: id, type: "number", step: "0.05", min: "-1", max: "1", size: "5" });
    input.addEventListener("input", () => {
      s[key] = input.value === "" || Number.isNaN(Number(input.value)) ? null : Number(input.value);
      BOW.browser.refresh(data);
    });
    wrap.appendChild(input);
    controls.appendChild(wrap);
  }
  const search = BOW.el("input", { id: "filter-text", type: "search", placeholder: "scenario or key contains…" });
  search.addEventListener("input", () => { s.text = search.value; BOW.browser.refresh(data); });
  controls.appendChild(search);
  root.appendChild(controls);
  root.appendChild(BOW.el("p", { id: "item-count", class: "count" }));
  const split = BOW.el("div", { class: "browser-split" });
  split.appendChild(BOW.el("ol", { id: "item-list", class: "item-list" }));
  split.appendChild(BOW.el("div", { id: "item-detail", class: "item-detail" }, "Select an item to see its beats."));
  root.appendChild(split);
  BOW.browser.refresh(data);
};

BOW.browser.refresh = function (data) {
  const list = BOW.clear(document.getElementById("item-list"));
  const shown = data.items.filter((i) => BOW.browser.matches(i, BOW.browser.state));
  const limit = BOW.browser.LIST_LIMIT;
  document.getElementById("item-count").textContent = shown.length + " of " + data.items.length + " items" +
    (shown.length > limit ? " (listing the first " + limit + "; narrow the filters)" : "");
  for (const item of shown.slice(0, limit)) {
    const mark = item.canon_correct === null ? "·" : item.canon_correct ? "✓" : "✗";
    const li = BOW.el("li", { class: "item-row", tabindex: "0", "data-key": item.key, "data-hero": item.hero,
      "data-version": item.version, "data-group": BOW.groupId(item.run, item.group), "data-kind": item.kind,
      "data-canon": item.canon_correct === null ? "none" : String(item.canon_correct) });
    li.appendChild(BOW.el("span", { class: "mark" }, mark));
    li.appendChild(BOW.el("span", { class: "who" }, item.version));
    li.appendChild(BOW.el("span", { class: "what" }, item.scenario));
    li.appendChild(BOW.el("span", { class: "score" }, "TAM " + BOW.fmt(item.tam)));
    const pick = () => BOW.browser.show(data, item.key);
    li.addEventListener("click", pick);
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
    list.appendChild(li);
  }
};

BOW.browser.show = function (data, key) {
  const item = data.items.find((i) => i.key === key);
  const box = BOW.clear(document.getElementById("item-detail"));
  if (!item) return;
  for (const li of document.querySelectorAll("#item-list li")) {
    li.classList.toggle("selected", li.getAttribute("data-key") === key);
  }
  box.setAttribute("data-key", key);
  box.appendChild(BOW.el("h3", { id: "detail-title" }, item.hero_name + " · " + item.version_label));
  const meta = BOW.el("dl", { class: "meta" });
  const facts = [
    ["version", item.version], ["universe", item.universe], ["model", item.model], ["mode", item.mode],
    ["scenario", item.scenario + (item.scenario_title ? " — " + item.scenario_title : "")], ["kind", item.kind],
    ["stage", item.stage], ["asked about", item.asked_version], ["memory", item.memory ? "on" : "off"],
    ["canon", item.canon_correct === null ? "-" : (item.canon_correct ? "correct" : "incorrect") + " (answer " + item.answer + ")"],
    ["thinking", BOW.fmt(item.thinking)], ["acting", BOW.fmt(item.acting)], ["TAM", BOW.fmt(item.tam)],
    ["TAM (paper)", BOW.fmt(item.tam_paper)], ["key", item.key],
  ];
  for (const [k, v] of facts) {
    if (v === null || v === undefined) continue;
    meta.appendChild(BOW.el("dt", {}, k));
    meta.appendChild(BOW.el("dd", { "data-field": k }, v));
  }
  box.appendChild(meta);
  const beats = BOW.el("div", { class: "beats", id: "beats" });
  const head = BOW.el("div", { class: "beat beat-head" });
  for (const h of ["narration", "retrieved memory", "think", "act", "decision", "judges"]) head.appendChild(BOW.el("div", {}, h));
  beats.appendChild(head);
  item.beats.forEach((beat, n) => beats.appendChild(BOW.browser.beat(data, item, beat, n)));
  box.appendChild(beats);
  if (item.item_scores.length) {
    const whole = BOW.el("div", { class: "item-scores", id: "item-scores" });
    whole.appendChild(BOW.el("h4", {}, "Whole-transcript scores"));
    whole.appendChild(BOW.browser.scores(item.item_scores));
    box.appendChild(whole);
  }
  if (item.epilogue) box.appendChild(BOW.el("p", { class: "epilogue" }, item.epilogue));
};

BOW.browser.beat = function (data, item, beat, n) {
  const row = BOW.el("div", { class: "beat", "data-beat-id": beat.beat_id, "data-beat-index": n });
  const narration = BOW.el("div", { class: "beat-narration" });
  narration.appendChild(BOW.el("p", { class: "beat-id" }, "beat " + (n + 1) + ": " + beat.beat_id));
  narration.appendChild(BOW.el("p", { class: "text" }, beat.narration));
  const choices = BOW.el("ol", { class: "choices" });
  for (const [k, v] of Object.entries(beat.choices || {})) {
    choices.appendChild(BOW.el("li", { "data-choice": k, class: k === item.answer ? "answer" : "" }, k + ". " + v));
  }
  narration.appendChild(choices);
  const memory = BOW.el("div", { class: "beat-memory" });
  const retrieved = beat.retrieved || [];
  if (!retrieved.length) memory.appendChild(BOW.el("p", { class: "muted" }, "(no memory retrieved)"));
  for (const pid of retrieved) {
    const passage = data.passages[pid] || {};
    const p = BOW.el("div", { class: "passage", "data-passage": pid });
    p.appendChild(BOW.el("span", { class: "passage-id" }, pid + (passage.stage ? " · " + passage.stage : "")));
    p.appendChild(BOW.el("p", { class: "text" }, passage.text || "(text not available: persona not installed)"));
    memory.appendChild(p);
  }
  const think = BOW.el("div", { class: "beat-think" });
  think.appendChild(BOW.el("pre", {}, beat.think || "(empty)"));
  const act = BOW.el("div", { class: "beat-act" });
  act.appendChild(BOW.el("pre", {}, beat.act || "(empty)"));
  const decision = BOW.el("div", { class: "beat-decision" });
  const d = beat.decision || {};
  decision.appendChild(BOW.el("strong", { class: "choice" }, d.choice || "-"));
  if (d.free_action) decision.appendChild(BOW.el("p", { class: "text" }, d.free_action));
  decision.appendChild(BOW.el("p", { class: "muted" }, "read by " + (d.method || "?")));
  decision.appendChild(BOW.el("p", { class: "muted" }, beat.tokens.input + " in / " + beat.tokens.output + " out tokens"));
  const judges = BOW.el("div", { class: "beat-judges" });
  judges.appendChild(BOW.browser.scores(beat.scores));
  for (const cell of [narration, memory, think, act, decision, judges]) row.appendChild(cell);
  return row;
};

BOW.browser.scores = function (scores) {
  const list = BOW.el("ul", { class: "scores" });
  if (!scores.length) list.appendChild(BOW.el("li", { class: "muted" }, "(not graded)"));
  for (const s of scores) {
    const li = BOW.el("li", { class: "score-entry", "data-grader": s.grader, "data-judge": s.judge || "" });
    const value = s.value !== null && s.value !== undefined ? BOW.fmt(s.value) : s.label || "unscored";
    li.appendChild(BOW.el("strong", {}, s.grader + (s.judge ? " [" + s.judge + "]" : "") + ": " + value));
    if (s.unscored_reason) li.appendChild(BOW.el("p", { class: "unscored" }, "unscored: " + s.unscored_reason));
    if (s.rationale) li.appendChild(BOW.el("p", { class: "rationale" }, s.rationale));
    for (const e of s.evidence || []) li.appendChild(BOW.el("q", { class: "evidence" }, e));
    if (s.method) li.appendChild(BOW.el("span", { class: "muted" }, " (" + s.method + ")"));
    list.appendChild(li);
  }
  return list;
};
