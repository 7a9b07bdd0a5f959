/* BOW report: DOM and SVG helpers. Data is only ever inserted with textContent, never as markup. */
"use strict";

const BOW = {};

/* The SVG namespace, read from an inline <svg> the HTML parser created, so the page holds no URL. */
BOW.SVG_NS = document.getElementById("svg-ns").namespaceURI;

BOW.PALETTE = ["#3b6fb6", "#d9822b", "#3a9d5d", "#c23b3b", "#7d5ba6", "#8c6d31", "#d46fb0", "#6b6b6b"];

BOW.el = function (tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

BOW.svg = function (tag, attrs, text) {
  const node = document.createElementNS(BOW.SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

/* A tooltip for an SVG element (a <title> child). */
BOW.tip = function (node, text) {
  node.appendChild(BOW.svg("title", {}, text));
  return node;
};

BOW.clear = function (node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
};

BOW.fmt = function (value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "-";
  return Number(value).toFixed(digits === undefined ? 2 : digits);
};

BOW.mean = function (values) {
  const v = values.filter((x) => x !== null && x !== undefined && !Number.isNaN(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/* A "nothing to draw" note in place of a chart. */
BOW.empty = function (container, message) {
  container.appendChild(BOW.el("p", { class: "empty-note" }, message));
};

/* A <select> with an "all" entry and the given values; calls onChange(value). */
BOW.select = function (id, label, values, allLabel, onChange, labels) {
  const wrap = BOW.el("label", { for: id, class: "control" }, label + " ");
  const select = BOW.el("select", { id: id });
  if (allLabel !== null) select.appendChild(BOW.el("option", { value: "" }, allLabel));
  for (const value of values) {
    select.appendChild(BOW.el("option", { value: value }, labels ? labels(value) : value));
  }
  select.addEventListener("change", () => onChange(select.value));
  wrap.appendChild(select);
  return wrap;
};

/* Colour for a value in [0, 1]: light to dark blue. */
BOW.heat = function (t) {
  const x = Math.max(0, Math.min(1, t));
  const r = Math.round(240 - x * 200);
  const g = Math.round(244 - x * 150);
  const b = Math.round(250 - x * 70);
  return "rgb(" + r + "," + g + "," + b + ")";
};

/* Metric definitions shared by plots and the browser. */
BOW.METRICS = {
  canon: { label: "canon accuracy", max: 1, item: (i) => (i.canon_correct === null ? null : i.canon_correct ? 1 : 0) },
  thinking: { label: "thinking (0-5)", max: 5, item: (i) => i.thinking },
  acting: { label: "acting (0-5)", max: 5, item: (i) => i.acting },
  tam: { label: "Think-Act Matching", max: 1, item: (i) => i.tam },
};

BOW.groupLabel = function (data, group) {
  return data.runs.length > 1 ? group.run_name + ": " + group.group : group.group;
};

BOW.groupId = function (runId, group) {
  return runId + "|" + group;
};
