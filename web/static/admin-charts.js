// Small hand-written SVG charts for the dashboard: stacked columns, horizontal bars and columns.
// Each chart is an image with a name and a description for screen readers, every bar carries its
// value (data-value and a tooltip), and a table of the same figures follows it (tableFallback).
import { clear, el } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const NARROW = 520; // horizontal bars sit in half-width panels: a smaller canvas keeps their text readable
const INK = "#1b1b1b";
const MUTED = "#4a4f55";
const GRID = "#c9ced6";

function svg(tag, attrs = {}, content = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (content) node.textContent = content;
  return node;
}

// The image itself: role="img" named by the chart's heading, described by the paragraph under it.
function frame(height, { label, describedBy }, width = WIDTH) {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart-svg", "aria-label": label });
  if (describedBy) root.setAttribute("aria-describedby", describedBy);
  root.append(svg("title", {}, label));
  return root;
}

function bar(x, y, width, height, colour, value, tip) {
  const rect = svg("rect", { x, y, width: Math.max(width, 0), height: Math.max(height, 0), fill: colour, "data-value": value });
  rect.append(svg("title", {}, tip));
  return rect;
}

// A round number at or above `max`, so the axis reads 0, half and the top.
function ceiling(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

function valueAxis(root, top, left, right, bottom) {
  for (const share of [0, 0.5, 1]) {
    const y = bottom - (bottom - 20) * share;
    root.append(svg("line", { x1: left, x2: right, y1: y, y2: y, stroke: GRID }));
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", fill: MUTED, "font-size": 12 }, String(top * share)));
  }
}

// Columns of stacked parts: rows [{label, parts: [n, …]}], series [{label, colour}]. `width`: the
// canvas's, wider for a chart across the page so it is not taller than it needs to be.
export function stackedColumns(rows, series, { width = WIDTH, ...names }) {
  const height = 260;
  const [left, right, bottom] = [48, width - 8, height - 28];
  const root = frame(height, names, width);
  const top = ceiling(Math.max(0, ...rows.map((r) => r.parts.reduce((a, b) => a + b, 0))));
  valueAxis(root, top, left, right, bottom);
  const slot = (right - left) / Math.max(rows.length, 1);
  const every = Math.ceil(rows.length / 10); // at most ten day labels
  rows.forEach((row, i) => {
    let y = bottom;
    row.parts.forEach((value, s) => {
      const h = ((bottom - 20) * value) / top;
      y -= h;
      if (value) root.append(bar(left + i * slot + slot * 0.15, y, slot * 0.7, h, series[s].colour, value, `${row.label} ${series[s].label}：${value}`));
    });
    if (i % every === 0) {
      root.append(svg("text", { x: left + (i + 0.5) * slot, y: height - 8, "text-anchor": "middle", fill: MUTED, "font-size": 12 }, row.label));
    }
  });
  return root;
}

// Horizontal bars: items [{label, value, shown}] where `shown` is the text written after the bar.
export function horizontalBars(items, { max, colour = "#0b57d0", ...names }) {
  const rowHeight = 30;
  const height = Math.max(items.length, 1) * rowHeight + 10;
  const [left, right] = [180, NARROW - 80];
  const root = frame(height, names, NARROW);
  const top = max ?? ceiling(Math.max(0, ...items.map((i) => i.value)));
  items.forEach((item, i) => {
    const y = 5 + i * rowHeight;
    const short = item.label.length > 14 ? `${item.label.slice(0, 13)}…` : item.label;
    root.append(svg("text", { x: left - 8, y: y + 19, "text-anchor": "end", fill: INK, "font-size": 14 }, short));
    const width = ((right - left) * item.value) / (top || 1);
    root.append(bar(left, y + 4, width, rowHeight - 10, colour, item.value, `${item.label}：${item.shown}`));
    root.append(svg("text", { x: left + width + 6, y: y + 19, fill: INK, "font-size": 13 }, item.shown));
  });
  return root;
}

// Columns: items [{label, value}] along the bottom (a histogram when the labels are bins).
export function columns(items, { colour = "#0b57d0", ...names }) {
  return stackedColumns(items.map((i) => ({ label: i.label, parts: [i.value] })), [{ label: "", colour }], names);
}

// A legend of the series' colours, as HTML text (so its contrast and wording are checked like the page's).
export function legend(series) {
  const list = el("ul", "legend");
  for (const s of series) {
    const swatch = el("span", `swatch ${s.className}`, "", { "aria-hidden": "true" });
    const item = el("li");
    item.append(swatch, s.label);
    list.append(item);
  }
  return list;
}

// The same figures as a table, folded away under a summary line.
export function tableFallback(summary, caption, headers, rows) {
  const details = el("details", "chart-table");
  details.append(el("summary", "", summary));
  const table = el("table");
  table.append(el("caption", "visually-hidden", caption));
  const head = el("tr");
  for (const h of headers) head.append(el("th", "", h, { scope: "col" }));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(el(i === 0 ? "th" : "td", "", String(cell), i === 0 ? { scope: "row" } : {})));
    body.append(tr);
  }
  table.append(body);
  details.append(table);
  return details;
}

// Put a chart (or the "no data" line) and its table into a box.
export function show(box, chart, table, emptyText) {
  clear(box);
  if (!chart) {
    box.append(el("p", "quiet", emptyText));
    return;
  }
  box.append(chart, table);
}
