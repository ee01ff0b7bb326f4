// The work-order form of the live call: prefilled from the copilot's suggestion (type, summary,
// category, the department suggested with its confidence) until the agent edits a field; the caller's
// details masked, each with a button that reveals it (the server audits every reveal).
import * as api from "./copilot-api.js";
import { maskNumbers } from "./copilot-call.js";
import { clear, el } from "./dom.js";
import { names, percent, text } from "./copilot-text.js";

const $ = (id) => document.getElementById(id);
const form = () => $("order-form");
const PREFILLED = ["order-type", "order-summary", "order-category", "order-dept"];
const MAX_SUMMARY = 2000;

const touched = new Set(); // the fields the agent has edited: later suggestions leave them alone
const revealed = new Map(); // field name → {masked, value}, while the call says the same
let subject = null; // the top candidate, for subject_id while the category is still its name

function options(select, labels) {
  for (const [value, label] of Object.entries(labels)) select.append(el("option", "", label, { value }));
}

function prefill(id, value) {
  if (!touched.has(id)) $(id).value = value;
}

function showDetail(call, field) {
  const shown = revealed.get(field.name);
  const value = el("span", "detail-value", shown ? shown.value : field.masked, { id: `detail-${field.name}`, tabindex: "-1" });
  const row = [el("dt", "", field.label), el("dd")];
  row[1].append(value);
  if (!shown) {
    const button = el("button", "button small", text("reveal"), { type: "button", "aria-label": text("revealLabel", field) });
    button.addEventListener("click", () => reveal(call, field, button));
    row[1].append(button);
  }
  return row;
}

async function reveal(call, field, button) {
  button.disabled = true;
  try {
    const answer = await api.revealDetail(call.id, call.transcript, field.name);
    revealed.set(field.name, { masked: field.masked, value: answer.value });
    const value = $(`detail-${field.name}`);
    value.textContent = answer.value;
    button.remove();
    value.focus();
  } catch (error) {
    button.disabled = false;
    $("order-result").textContent = error.message;
  }
}

export function departmentOptions(depts) {
  const list = $("dept-options");
  const known = new Set([...list.options].map((option) => option.value));
  for (const dept of depts) if (dept && !known.has(dept)) list.append(el("option", "", "", { value: dept }));
}

export function fillForm(suggestion, call) {
  const top = suggestion.candidates[0];
  subject = top ?? subject;
  prefill("order-type", suggestion.work_order_type.value);
  // The server's 诉求摘要 (who masked, what, where, when, want), never the raw transcript.
  prefill("order-summary", maskNumbers(suggestion.summary ?? "").slice(0, MAX_SUMMARY));
  if (top) prefill("order-category", top.name);
  if (suggestion.dispatch) prefill("order-dept", suggestion.dispatch.dept);
  departmentOptions(suggestion.departments.map((d) => d.dept));

  const { dispatch, departments } = suggestion;
  $("dispatch-hint").textContent = dispatch ? text("dispatchHint", { dept: dispatch.dept, percent: percent(dispatch.confidence) })
    : suggestion.dispatch_reason || text("noDispatch");
  const others = departments.slice(1).map((d) => `${d.dept}（${percent(d.confidence)}）`);
  $("dispatch-others").textContent = others.length ? text("otherDepts", { list: others.join("、") }) : "";

  for (const [name, shown] of revealed) {
    if (!suggestion.fields.some((f) => f.name === name && f.masked === shown.masked)) revealed.delete(name);
  }
  const details = clear($("caller-details"));
  for (const field of suggestion.fields) details.append(...showDetail(call, field));
  $("no-caller-details").hidden = suggestion.fields.length > 0;
}

export function resetForm() {
  touched.clear();
  revealed.clear();
  subject = null;
  form().reset();
  clear($("caller-details"));
  $("no-caller-details").hidden = false;
  $("dispatch-hint").textContent = text("noDispatch");
  $("dispatch-others").textContent = "";
  $("order-result").textContent = "";
}

async function create(call, onCreated) {
  const result = $("order-result");
  const summary = $("order-summary").value.trim();
  if (!summary) {
    result.textContent = text("summaryRequired");
    $("order-summary").focus();
    return;
  }
  const category = $("order-category").value.trim();
  if (!$("order-dept").value.trim()) { // the server refuses it too (dept_required)
    result.textContent = text("orderDeptRequired");
    $("order-dept").focus();
    return;
  }
  const draft = {
    type: $("order-type").value,
    summary,
    category,
    dept: $("order-dept").value.trim(),
    urgency: $("order-urgency").value,
    subject_id: subject && subject.name === category ? subject.id : null,
  };
  if (call?.transcript) draft.transcript = call.transcript; // the caller's details are read from it
  result.textContent = text("creating");
  try {
    const order = await api.createOrder(draft);
    clear(result).append(text("created"), el("strong", "tracking", order.number, { id: "created-number" }));
    await onCreated(order);
  } catch (error) {
    result.textContent = error.message;
    if (error.field === "dept") $("order-dept").focus();
  }
}

export function setUpForm(currentCall, onCreated) {
  options($("order-type"), names.types);
  options($("order-urgency"), names.urgencies);
  for (const id of PREFILLED) $(id).addEventListener("input", () => touched.add(id));
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    create(currentCall(), onCreated);
  });
}
