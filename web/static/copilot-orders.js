// The work orders: the list with status, due time and overdue flags; one order with its caller details
// (masked, revealed one at a time and audited by the server), the changes its status allows (派单 and
// 重派 name a department) and its history.
import * as api from "./copilot-api.js";
import { clear, el } from "./dom.js";
import { names, text, when } from "./copilot-text.js";

const $ = (id) => document.getElementById(id);
const SUMMARY_CHARS = 40;

// The name of a change, as in assistant/cases/workorder_status.py change_name.
function changeName(from, to) {
  if (from === "returned" && to === "dispatched") return "redispatched";
  if (from === "follow_up" && to === "handling") return "reopened";
  return to;
}

function flag(late) {
  return el("span", late ? "flag late" : "flag", text(late ? "overdue" : "onTime"));
}

function cell(...children) {
  const td = el("td");
  td.append(...children);
  return td;
}

function row(term, ...description) {
  const dd = el("dd");
  dd.append(...description);
  return [el("dt", "", term), dd];
}

export async function refreshOrders() {
  const orders = await api.listOrders();
  const body = clear($("orders-body"));
  for (const order of orders) {
    const open = el("button", "button small", text("open"), { type: "button", "aria-label": text("openLabel", order) });
    open.addEventListener("click", () => openOrder(order.number));
    const summary = order.summary.length > SUMMARY_CHARS ? `${order.summary.slice(0, SUMMARY_CHARS)}…` : order.summary;
    const tr = el("tr");
    tr.append(el("th", "", order.number, { scope: "row" }), cell(order.type_label), cell(summary), cell(order.dept || text("none")),
      cell(order.status_label), cell(when(order.resolve_due)), cell(flag(order.overdue)), cell(open));
    body.append(tr);
  }
  $("orders-table").hidden = orders.length === 0;
  $("no-orders").hidden = orders.length > 0;
}

async function revealField(number, field, button) {
  button.disabled = true;
  try {
    const answer = await api.revealOrderField(number, field);
    const value = $(`order-caller-${field}`);
    value.textContent = answer.value;
    button.remove();
    value.focus();
  } catch (error) {
    button.disabled = false;
    $("move-result").textContent = error.message;
  }
}

function callerRows(order) {
  const rows = [];
  for (const [field, masked] of Object.entries(order.caller)) {
    const label = names.callerFields[field] ?? field;
    const value = el("span", "detail-value", masked, { id: `order-caller-${field}`, tabindex: "-1" });
    const button = el("button", "button small", text("reveal"), { type: "button", "aria-label": text("revealLabel", { label }) });
    button.addEventListener("click", () => revealField(order.number, field, button));
    rows.push(...row(label, value, button));
  }
  return rows;
}

function showOrder(order) {
  $("order-heading").textContent = text("orderHeading", order);
  clear($("order-facts")).append(
    ...row(text("colType"), order.type_label), ...row(text("urgencyLabel"), order.urgency_label),
    ...row(text("statusLabel"), el("strong", "", order.status_label, { id: "order-status" })),
    ...row(text("colDept"), order.dept || text("none")), ...row(text("category"), order.category || text("none")),
    ...row(text("summary"), order.summary), ...row(text("createdAt"), when(order.created_at)),
    ...row(text("respondDue"), `${when(order.respond_due)} `, flag(order.response_overdue)),
    ...row(text("resolveDue"), `${when(order.resolve_due)} `, flag(order.resolve_overdue)),
    ...callerRows(order),
  );
  const allowed = names.next[order.status] ?? [];
  const actions = clear($("order-actions"));
  for (const to of allowed) {
    const button = el("button", "button", names.changes[changeName(order.status, to)], { type: "button", "data-to": to });
    button.addEventListener("click", () => move(order, to));
    actions.append(button);
  }
  $("move-dept-field").hidden = !allowed.includes("dispatched");
  $("move-dept").value = order.status === "returned" ? "" : order.dept; // 重派 goes to another department
  $("move-form").hidden = allowed.length === 0;
  $("no-actions").hidden = allowed.length > 0;
}

function showHistory(events) {
  const list = clear($("order-history"));
  for (const event of events) {
    const entry = el("li", "", text("historyEntry", { ...event, at: when(event.at), change: event.change_label, dept: event.dept || text("none") }));
    if (event.note) entry.append(el("span", "note", text("historyNote", event)));
    list.append(entry);
  }
}

export async function openOrder(number, { focus = true } = {}) {
  const [order, history] = await Promise.all([api.getOrder(number), api.orderHistory(number)]);
  showOrder(order);
  showHistory(history);
  $("order-panel").hidden = false;
  if (focus) $("order-heading").focus();
}

async function move(order, to) {
  const result = $("move-result");
  const dept = to === "dispatched" ? $("move-dept").value.trim() : "";
  if (to === "dispatched" && !dept) {
    result.textContent = text("deptRequired");
    $("move-dept").focus();
    return;
  }
  try {
    const moved = await api.moveOrder(order.number, to, $("move-note").value.trim(), dept);
    $("move-note").value = "";
    result.textContent = text("moved", { number: order.number, change: names.changes[changeName(order.status, to)], status: moved.status_label });
    await Promise.all([openOrder(order.number, { focus: false }), refreshOrders()]);
    ($("order-actions").querySelector("button") ?? $("order-heading")).focus(); // the next step, by keyboard
  } catch (error) {
    result.textContent = error.message;
    if (error.field === "dept") $("move-dept").focus();
  }
}

export function closeOrder() {
  $("order-panel").hidden = true;
  $("move-result").textContent = "";
}
