// 运营概览: the date range, the figures as big numbers, charts with their tables, and CSV links.
import * as api from "./admin-api.js";
import { columns, horizontalBars, legend, show, stackedColumns, tableFallback } from "./admin-charts.js";
import { percent, text, when } from "./admin-text.js";
import { clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const CHANNELS = [
  { key: "text", colour: "#0b57d0", className: "ch-text" },
  { key: "voice", colour: "#b3261e", className: "ch-voice" },
  { key: "copilot", colour: "#1e6b34", className: "ch-copilot" },
];
const STEPS = ["routed", "consent", "filled", "confirmed", "submitted"];
const TOP_SERVICES = 12;
let shown = null; // the report on screen, for the funnel's service picker

// Days are Beijing days, written YYYY-MM-DD; arithmetic in UTC so no zone shifts a day.
const todayInBeijing = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
function addDays(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}
const share = (value) => (value === null || value === undefined ? text("noValue") : percent(value));

// The last `days` days up to today, into the form.
export function setLastDays(days) {
  const today = todayInBeijing();
  $("range-from").value = addDays(today, 1 - days);
  $("range-to").value = today;
}

export async function refreshOverview() {
  const from = $("range-from").value;
  const last = $("range-to").value;
  if (!from || !last || last < from) {
    $("range-shown").textContent = text("rangeInvalid");
    return;
  }
  const to = addDays(last, 1); // the API's range ends the day after the last one shown
  $("range-shown").textContent = text("loading");
  for (const link of document.querySelectorAll("#exports a")) link.href = api.csvUrl(link.dataset.report, from, to);
  try {
    const report = await api.analytics(from, to);
    render(report);
    const days = report.volume_by_day.length;
    $("range-shown").textContent = text("rangeShown", { from, to: last, days });
  } catch (error) {
    $("range-shown").textContent = error.message;
    throw error;
  }
}

function render(report) {
  shown = report;
  renderRates(report);
  renderVolume(report.volume_by_day);
  renderServices(report.volume_by_service);
  renderFunnelPicker(report);
  renderFunnel();
  renderRatings(report.ratings);
  renderConfidence(report.confidence);
  renderSlowest(report.slowest);
}

function renderRates({ totals, rates }) {
  const figures = [
    ["sessions", totals.sessions, ""],
    ["turns", totals.turns, ""],
    ["applications", totals.applications, ""],
    ["workOrders", totals.work_orders, text("workOrderBase", {
      chat: totals.work_orders_from_chat, staff: totals.work_orders - totals.work_orders_from_chat })],
    ["clarification", share(rates.clarification), text("rateBase", { count: rates.routed_turns })],
    ["outOfScope", share(rates.out_of_scope), text("rateBase", { count: rates.routed_turns })],
    ["handoff", share(rates.handoff), text("sessionBase", { count: totals.sessions })],
    ["meanTurns", rates.mean_turns_to_submission ?? text("noValue"), text("submissionBase", { count: rates.submissions })],
  ];
  const list = clear($("rates"));
  for (const [key, value, base] of figures) {
    const item = el("div", "figure", "", { "data-figure": key });
    const term = el("dt", "", text(key));
    const description = el("dd", "", "");
    description.append(el("span", "big", String(value)));
    if (base) description.append(el("span", "base", base));
    item.append(term, description);
    list.append(item);
  }
}

function renderVolume(days) {
  const series = CHANNELS.map((c) => ({ ...c, label: text(`channel_${c.key}`) }));
  const total = days.reduce((sum, d) => sum + d.total, 0);
  const chart = total
    ? stackedColumns(days.map((d) => ({ label: d.day.slice(5), parts: CHANNELS.map((c) => d[c.key]) })), series,
      { label: text("volumeHeading"), describedBy: "volume-desc", width: 1100 })
    : null;
  const table = tableFallback(text("showTable"), text("volumeHeading"),
    [text("day"), ...series.map((s) => s.label), text("total")],
    days.map((d) => [d.day, ...CHANNELS.map((c) => d[c.key]), d.total]));
  show($("volume-chart"), chart, table, text("empty"));
  if (chart) $("volume-chart").insertBefore(legend(series), table);
}

function renderServices(services) {
  const top = services.slice(0, TOP_SERVICES);
  $("services-desc").textContent = text("servicesDesc", { count: TOP_SERVICES });
  const chart = top.length
    ? horizontalBars(top.map((s) => ({ label: s.name, value: s.sessions, shown: String(s.sessions) })),
      { label: text("servicesHeading"), describedBy: "services-desc" })
    : null;
  const table = tableFallback(text("showTable"), text("servicesHeading"),
    [text("service"), text("serviceSessions"), text("serviceTurns")], services.map((s) => [s.name, s.sessions, s.turns]));
  show($("services-chart"), chart, table, text("empty"));
}

function renderFunnelPicker(report) {
  const pick = $("funnel-pick");
  const was = pick.value;
  clear(pick).append(el("option", "", text("funnelOverall"), { value: "" }));
  for (const f of report.funnel_by_service) pick.append(el("option", "", f.name, { value: f.id }));
  pick.value = report.funnel_by_service.some((f) => f.id === was) ? was : "";
}

export function renderFunnel() {
  if (!shown) return;
  const id = $("funnel-pick").value;
  const funnel = shown.funnel_by_service.find((f) => f.id === id) ?? shown.funnel;
  const base = funnel.routed;
  const rows = STEPS.map((step) => ({ label: text(`step_${step}`), value: funnel[step], share: base ? funnel[step] / base : null }));
  const chart = base
    ? horizontalBars(rows.map((r) => ({ ...r, shown: `${r.value}（${share(r.share)}）` })),
      { label: `${text("funnelHeading")}：${funnel.name || text("funnelOverall")}`, describedBy: "funnel-desc", max: base, colour: "#1e6b34" })
    : null;
  const table = tableFallback(text("showTable"), text("funnelHeading"), [text("step"), text("count"), text("share")],
    rows.map((r) => [r.label, r.value, share(r.share)]));
  show($("funnel-chart"), chart, table, text("empty"));
}

function renderRatings(ratings) {
  const named = ratings.map((r) => ({ ...r, name: r.name || text("noService") }));
  const chart = named.length
    ? horizontalBars(named.map((r) => ({ label: r.name, value: r.mean, shown: `${r.mean.toFixed(1)}（${r.count}）` })),
      { label: text("ratingsHeading"), describedBy: "ratings-desc", max: 5, colour: "#a15c00" })
    : null;
  const stars = [1, 2, 3, 4, 5].map((n) => text("stars", { n }));
  const table = tableFallback(text("showTable"), text("ratingsHeading"), [text("service"), text("mean"), text("ratingCount"), ...stars],
    named.map((r) => [r.name, r.mean.toFixed(2), r.count, ...r.stars]));
  show($("ratings-chart"), chart, table, text("empty"));
}

function renderConfidence(bins) {
  const rows = bins.map((b) => ({ label: `${b.low.toFixed(1)}–${b.high.toFixed(1)}`, value: b.count }));
  const chart = rows.some((r) => r.value)
    ? columns(rows, { label: text("confidenceHeading"), describedBy: "confidence-desc", colour: "#5e35b1" })
    : null;
  const table = tableFallback(text("showTable"), text("confidenceHeading"), [text("bin"), text("count")], rows.map((r) => [r.label, r.value]));
  show($("confidence-chart"), chart, table, text("empty"));
}

function renderSlowest(turns) {
  const box = clear($("slowest"));
  if (!turns.length) {
    box.append(el("p", "quiet", text("empty")));
    return;
  }
  const table = el("table", "slowest");
  table.append(el("caption", "visually-hidden", text("slowestHeading")));
  const head = el("tr");
  for (const key of ["at", "channel", "service", "latency", "userText", "reply"]) head.append(el("th", "", text(key), { scope: "col" }));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const t of turns) {
    const row = el("tr");
    row.append(el("td", "nowrap", when(t.at)), el("td", "", text(`channel_${t.channel}`)), el("td", "", t.name || text("noService")),
      el("td", "number", t.latency_ms.toFixed(0)), el("td", "said", t.text), el("td", "said", t.reply));
    body.append(row);
  }
  table.append(thead, body);
  box.append(table);
}
