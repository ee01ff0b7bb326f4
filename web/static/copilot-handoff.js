// 转人工 in the staff console: the conversations waiting for a person (polled every few seconds), with
// how long each has waited, what the assistant understood, the form so far and the conversation, all
// masked; an agent takes one (the server gives it to exactly one agent), writes to the citizen in their
// chat, and hands it back to the assistant or turns it into a work order or a 代办.
import { clear, el, pairs } from "./dom.js";
import { text } from "./copilot-text.js";
import { post, request } from "./staff-api.js";

const $ = (id) => document.getElementById(id);
const QUEUE_MS = 3000;
const CASE_MS = 2000;

const api = {
  cases: () => request("/api/handoffs"),
  take: (id) => request(`/api/handoffs/${id}/take`, { method: "POST" }),
  messages: (id, since) => request(`/api/handoffs/${id}/messages?since=${since}`),
  send: (id, message) => request(`/api/handoffs/${id}/messages`, post({ text: message })),
  handBack: (id) => request(`/api/handoffs/${id}/return`, { method: "POST" }),
  workOrder: (id, draft) => request(`/api/handoffs/${id}/workorder`, post(draft)),
  apply: (id) => request(`/api/handoffs/${id}/apply`, post({})),
};

let queueTimer = null;
let caseTimer = null;
let open = null; // {id, cursor} of the case this agent is working on
let onSignedOut = () => {};

const waited = (seconds) => text("waited", { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
const senderName = (line) => (line.sender === "agent" ? text("senderAgent", { number: line.work_number }) : text(`sender_${line.sender}`));

function failed(error) {
  if (error.code === "staff_login_required") onSignedOut();
  else $("case-status").textContent = error.message;
}

// -- the queue ------------------------------------------------------------------------------------

function queueItem(item) {
  const li = el("li", "handoff-item");
  const about = item.service || text("notUnderstood");
  li.append(el("span", "handoff-about", about),
    el("span", "quiet", `${text(`reason_${item.reason}`)} · ${text(`state_${item.state}`)} · ${waited(item.waited_s)}`));
  if (item.status === "waiting") {
    const take = el("button", "button small", text("take"), { type: "button", "aria-label": text("takeLabel", { about }) });
    take.addEventListener("click", () => takeCase(item.id));
    li.append(take);
  } else if (item.mine) {
    li.append(el("span", "flag", text("yours")));
  } else {
    li.append(el("span", "quiet", text("takenBy", { number: item.work_number })));
  }
  return li;
}

async function refreshQueue() {
  queueTimer = null;
  try {
    const items = await api.cases();
    const list = clear($("handoff-queue"));
    for (const item of items) list.append(queueItem(item));
    $("no-handoffs").hidden = items.length > 0;
    const mine = items.find((item) => item.mine);
    if (mine && !open) showCase(mine); // a reload while holding a case: back to it
  } catch (error) {
    failed(error);
    if (error.code === "staff_login_required") return;
  }
  queueTimer = setTimeout(refreshQueue, QUEUE_MS);
}

// -- the case taken -------------------------------------------------------------------------------

function addLines(lines) {
  const log = $("case-log");
  for (const line of lines) {
    const p = el("p", `line line-${line.sender}`);
    p.append(el("strong", "", `${senderName(line)}：`), document.createTextNode(line.text));
    log.append(p);
  }
  log.lastElementChild?.scrollIntoView({ block: "nearest" });
}

function showCase(item) {
  open = { id: item.id, cursor: 0, service: item.service_id };
  $("handoff-case").hidden = false;
  $("case-heading").textContent = text("caseHeading", { about: item.service || text("notUnderstood") });
  pairs($("case-facts"), [
    [text("caseReason"), text(`reason_${item.reason}`)],
    [text("caseState"), text(`state_${item.state}`)],
    [text("caseWaited"), waited(item.waited_s)],
  ]);
  pairs($("case-form"), item.slots.map((slot) => [slot.label, slot.value]));
  $("case-form-empty").hidden = item.slots.length > 0;
  clear($("case-log"));
  addLines(item.transcript);
  open.cursor = Math.max(0, ...item.transcript.map((line) => line.id));
  const said = item.transcript.filter((line) => line.sender === "citizen").map((line) => line.text);
  $("case-summary").value = said.join("\n").slice(0, 2000);
  $("case-dept").value = item.dept; // the service's department; the agent may choose another
  $("case-apply").disabled = !item.service_id;
  $("case-status").textContent = "";
  setCaseEnabled(true);
  $("case-heading").focus();
  pollCase();
}

function setCaseEnabled(on) {
  for (const control of $("handoff-case").querySelectorAll("input, textarea, button")) control.disabled = !on;
  if (on && open) $("case-apply").disabled = !open.service;
}

async function pollCase() {
  caseTimer = null;
  if (!open) return;
  const current = open;
  try {
    const news = await api.messages(current.id, current.cursor);
    if (current !== open) return;
    current.cursor = news.cursor;
    addLines(news.messages);
    if (news.status === "ended") {
      closeCase(text(`ended_${news.outcome}`));
      return;
    }
  } catch (error) {
    failed(error);
  }
  caseTimer = setTimeout(pollCase, CASE_MS);
}

function closeCase(message) {
  open = null;
  clearTimeout(caseTimer);
  caseTimer = null;
  setCaseEnabled(false);
  $("case-status").textContent = message;
}

async function takeCase(id) {
  try {
    showCase(await api.take(id));
  } catch (error) {
    failed(error);
  }
  clearTimeout(queueTimer);
  refreshQueue();
}

async function end(call, done) {
  if (!open) return;
  const id = open.id;
  try {
    const result = await call(id);
    clearTimeout(caseTimer);
    const news = await api.messages(id, open.cursor);
    addLines(news.messages); // what the citizen was told
    closeCase(done(result));
  } catch (error) {
    failed(error);
  }
}

export function setUpHandoffs(signedOut) {
  onSignedOut = signedOut;
  $("case-reply").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("case-input");
    const message = input.value.trim();
    if (!message || !open) return;
    try {
      await api.send(open.id, message);
      input.value = "";
      clearTimeout(caseTimer);
      pollCase(); // shows it in the log, in order with the citizen's
    } catch (error) {
      failed(error);
    }
  });
  $("case-return").addEventListener("click", () => end(api.handBack, () => text("handedBack")));
  $("case-order").addEventListener("click", () => {
    const summary = $("case-summary").value.trim();
    if (!summary) {
      $("case-status").textContent = text("summaryRequired");
      $("case-summary").focus();
      return;
    }
    const draft = { type: "help", summary, dept: $("case-dept").value.trim() };
    end((id) => api.workOrder(id, draft), (result) => text("caseOrdered", { number: result.order.number }));
  });
  $("case-apply").addEventListener("click", () =>
    end(api.apply, (result) => text("caseApplied", { session: result.turn.session_id })));
}

export function startHandoffs() {
  $("handoff-desk").hidden = false;
  if (queueTimer === null) refreshQueue();
}

export function stopHandoffs() {
  $("handoff-desk").hidden = true;
  clearTimeout(queueTimer);
  queueTimer = null;
  if (open) closeCase("");
  $("handoff-case").hidden = true;
}
