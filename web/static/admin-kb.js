// 知识库: a service's aliases, example utterances and FAQ, edited one change at a time; the history of
// changes with rollback; and the background rebuild that makes them live, with its progress.
import * as api from "./admin-api.js";
import { serviceId } from "./admin-services.js";
import { percent, text, when } from "./admin-text.js";
import { clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
let current = null; // the service being edited
let polling = null;

export function setUpKb() {
  $("kb-pick-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = serviceId($("kb-pick").value);
    if (id) openService(id);
    else $("kb-status").textContent = text("unknownService");
  });
  $("rebuild").addEventListener("click", startRebuild);
}

export async function refreshKb() {
  await Promise.all([refreshHistory(), refreshRebuild()]);
}

async function openService(id) {
  $("kb-status").textContent = text("loading");
  try {
    current = await api.editableService(id);
    $("kb-status").textContent = "";
    renderService();
  } catch (error) {
    $("kb-status").textContent = error.message;
  }
}

async function edit(change) {
  try {
    await api.addEdit({ service_id: current.id, ...change });
    $("kb-status").textContent = text("saved");
    await Promise.all([openService(current.id), refreshHistory(), refreshRebuild()]);
  } catch (error) {
    $("kb-status").textContent = error.message;
  }
}

// A list of values with a remove button each, and a one-line form to add one.
function valueList(kind, heading, values, addLabel) {
  const section = el("section", "kb-list");
  const headingId = `kb-${kind}-heading`;
  section.append(el("h3", "", heading, { id: headingId }));
  const list = el("ul", "", "", { "aria-labelledby": headingId });
  for (const value of values) {
    const item = el("li", "", value);
    const remove = el("button", "button small secondary", text("remove"), { type: "button", "aria-label": text("removeItem", { value }) });
    remove.addEventListener("click", () => edit({ kind, action: "remove", value }));
    item.append(" ", remove);
    list.append(item);
  }
  if (!values.length) list.append(el("li", "quiet", text("none")));
  const form = el("form", "inline-form");
  const inputId = `kb-new-${kind}`;
  const input = el("input", "", "", { id: inputId, type: "text", maxlength: "200", required: "" });
  form.append(el("label", "", addLabel, { for: inputId }), input, el("button", "button small", text("add"), { type: "submit" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) edit({ kind, action: "add", value: input.value.trim() });
  });
  section.append(list, form);
  return section;
}

function faqSection(faq) {
  const section = el("section", "kb-list");
  section.append(el("h3", "", text("faq"), { id: "kb-faq-heading" }));
  const list = el("dl", "faq", "", { "aria-labelledby": "kb-faq-heading" });
  for (const entry of faq) {
    const remove = el("button", "button small secondary", text("remove"), { type: "button", "aria-label": text("removeItem", { value: entry.question }) });
    remove.addEventListener("click", () => edit({ kind: "faq", action: "remove", question: entry.question, value: entry.question }));
    const term = el("dt", "", entry.question);
    term.append(" ", remove);
    list.append(term, el("dd", "", entry.answer));
  }
  const form = el("form", "stack");
  const question = el("input", "", "", { id: "kb-faq-question", type: "text", maxlength: "200", required: "" });
  const answer = el("textarea", "", "", { id: "kb-faq-answer", rows: "3", maxlength: "2000", required: "" });
  form.append(el("label", "", text("question"), { for: "kb-faq-question" }), question,
    el("label", "", text("answer"), { for: "kb-faq-answer" }), answer, el("p", "quiet", text("faqHint")),
    el("button", "button small", text("saveFaq"), { type: "submit" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = question.value.trim();
    edit({ kind: "faq", action: "add", question: q, value: q, answer: answer.value.trim() });
  });
  section.append(list, form);
  return section;
}

function renderService() {
  const box = clear($("kb-service"));
  box.append(el("h3", "kb-name", current.name));
  box.append(valueList("alias", text("aliases"), current.aliases, text("newAlias")),
    valueList("utterance", text("utterances"), current.utterances, text("newUtterance")), faqSection(current.faq));
}

async function refreshHistory() {
  const box = clear($("kb-history"));
  let history;
  try {
    history = await api.edits();
  } catch (error) {
    box.append(el("p", "error", error.message));
    return;
  }
  if (!history.length) {
    box.append(el("p", "quiet", text("none")));
    return;
  }
  const table = el("table");
  table.append(el("caption", "visually-hidden", text("historyHeading")));
  const head = el("tr");
  for (const key of ["at", "actor", "service", "kind", "action", "summary", "state"]) head.append(el("th", "", text(key), { scope: "col" }));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const e of history) {
    const state = el("td", "", e.rolled_back ? text("rolledBack") : text("inForce"));
    if (!e.rolled_back) {
      const undo = el("button", "button small secondary", text("rollback"), { type: "button", "aria-label": text("rollbackItem", { id: e.id }) });
      undo.addEventListener("click", async () => {
        try {
          await api.rollback(e.id);
          await refreshKb();
        } catch (error) {
          $("kb-status").textContent = error.message;
        }
      });
      state.append(" ", undo);
    }
    const row = el("tr");
    row.append(el("td", "nowrap", when(e.at)), el("td", "", e.actor), el("td", "", e.service_id),
      el("td", "", text(`kind_${e.kind}`)), el("td", "", text(`action_${e.action}`)), el("td", "said", e.summary), state);
    body.append(row);
  }
  table.append(thead, body);
  box.append(table);
}

function showRebuild(job) {
  const bar = $("rebuild-progress");
  const running = job.state === "running";
  bar.hidden = !running;
  bar.value = job.progress ?? 0;
  $("rebuild").disabled = running;
  const line = text(`rebuild_${job.state}`, { stage: job.stage, percent: percent(job.progress ?? 0), version: job.kb_version, error: job.error ?? "" });
  $("rebuild-status").textContent = job.pending_edits && !running ? `${line} ${text("pendingEdits")}` : line;
}

async function refreshRebuild() {
  try {
    const job = await api.rebuildStatus();
    showRebuild(job);
    clearTimeout(polling);
    if (job.state === "running") polling = setTimeout(refreshRebuild, POLL_MS);
  } catch (error) {
    $("rebuild-status").textContent = error.message;
  }
}

async function startRebuild() {
  try {
    showRebuild(await api.startRebuild());
  } catch (error) {
    $("rebuild-status").textContent = error.message;
  }
  refreshRebuild();
}
