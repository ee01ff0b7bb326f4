// The side column: the form being filled, the confirmation summary, the tracking number,
// the progress lookup and the 1–5 star rating (好差评).
import * as api from "./api.js";
import { clear, el, pairs } from "./dom.js";
import { t } from "./strings.js";

const $ = (id) => document.getElementById(id);
const FORM_STATES = new Set(["consent", "filling", "confirming"]);

let lastApplication = null;

export function showTurn(turn) {
  const inForm = Boolean(turn.service) && FORM_STATES.has(turn.state);
  $("form-panel").hidden = !inForm;
  if (inForm) {
    $("form-service").textContent = turn.service.name;
    const filled = turn.slots.map((slot) => [slot.label, slot.value]);
    pairs($("filled"), filled);
    $("filled-empty").hidden = filled.length > 0;
    const missing = clear($("missing"));
    for (const label of turn.missing) missing.append(el("li", "", label));
    $("missing-empty").hidden = turn.missing.length > 0;
  }
  $("confirm-panel").hidden = turn.state !== "confirming";
  // The read-back shows the citizen their own answers (turn.readback); the form above stays masked.
  const readback = turn.readback?.length ? turn.readback : turn.slots;
  if (turn.state === "confirming") pairs($("confirm-list"), readback.map((slot) => [slot.label, slot.value]));
  if (turn.application) showSubmitted(turn.application);
  // A question answered from a guide is a completed dialogue too: it can be rated.
  else if (turn.state === "idle" && turn.service) $("feedback-panel").hidden = false;
}

function showSubmitted(application) {
  lastApplication = application.number;
  $("tracking-number").textContent = application.number;
  $("tracking-status").textContent = "";
  // The turn carries the status code; its Chinese name comes with the progress view.
  api.caseStatus(application.number).then((view) => ($("tracking-status").textContent = view.status_label), () => {});
  $("done-panel").hidden = false;
  $("feedback-panel").hidden = false;
  $("progress-number").value = application.number;
}

function showProgress(view) {
  const rows = [
    [t("progressLabel"), view.number],
    [t("progressService"), view.service],
    ...(view.type_label ? [[t("progressType"), view.type_label]] : []),
    [t("statusLabel"), view.status_label],
    [t("progressDept"), view.dept],
  ];
  if (view.expected_date) rows.push([t("progressExpected"), view.expected_date]);
  for (const member of view.members) rows.push([member.service, `${member.number} · ${member.status_label}`]);
  for (const [label, value] of Object.entries(view.fields ?? {})) rows.push([label, value]);
  const result = clear($("progress-result"));
  result.append(pairs(el("dl", "facts"), rows));
}

async function lookUp(event) {
  event.preventDefault();
  const number = $("progress-number").value.trim().toUpperCase();
  if (!number) return;
  try {
    showProgress(await api.caseStatus(number, $("progress-phone").value.trim()));
  } catch (error) {
    clear($("progress-result")).append(el("p", "error", error.message));
    if (error.code === "second_factor_required") $("progress-phone").focus();
  }
}

function lightStars() {
  const picked = Number(new FormData($("feedback-form")).get("rating") || 0);
  for (const [index, label] of [...document.querySelectorAll(".star")].entries()) label.classList.toggle("lit", index < picked);
}

async function rate(event) {
  event.preventDefault();
  const data = new FormData($("feedback-form"));
  const result = $("feedback-result");
  if (!data.get("rating")) {
    result.textContent = t("feedbackNeedRating");
    return;
  }
  try {
    await api.feedback(Number(data.get("rating")), String(data.get("comment") || ""), lastApplication);
    result.textContent = t("feedbackThanks");
    $("feedback-form").hidden = true;
  } catch (error) {
    result.textContent = error.message;
  }
}

// The stars: one radio input per rating, each with a label that says in words what it means.
function buildStars() {
  const stars = $("stars");
  t("stars").forEach((meaning, index) => {
    const id = `rating-${index + 1}`;
    const input = el("input", "visually-hidden", "", { type: "radio", name: "rating", value: String(index + 1), id });
    const label = el("label", "star", "", { for: id });
    label.append(el("span", "", "★", { "aria-hidden": "true" }), el("span", "visually-hidden", meaning));
    stars.append(input, label);
  });
}

export function setUpPanel() {
  buildStars();
  $("progress-form").addEventListener("submit", lookUp);
  $("check-progress").addEventListener("click", () => {
    $("progress-form").requestSubmit();
    $("progress-number").focus();
  });
  $("feedback-form").addEventListener("change", lightStars);
  $("feedback-form").addEventListener("submit", rate);
}
