// 待标注: messages the assistant could not route, routed with little confidence, or from a badly rated
// conversation. Each gets the service it meant (picked, or one of the router's guesses) or 不属于本系统.
// The server offers guesses only when the router was sure enough (GUESS_FLOOR in assistant/insight/labelling.py).
import * as api from "./admin-api.js";
import { serviceId, serviceName } from "./admin-services.js";
import { percent, text, when } from "./admin-text.js";
import { clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const REASONS = ["all", "unrouted", "low_confidence", "bad_rating"];
const OUT_OF_SCOPE = "out_of_scope";

export function setUpQueue() {
  const pick = $("queue-reason");
  for (const reason of REASONS) pick.append(el("option", "", text(`reason_${reason}`), { value: reason }));
  pick.addEventListener("change", () => refreshQueue());
  $("queue-refresh").addEventListener("click", () => refreshQueue());
}

export async function refreshQueue() {
  const status = $("queue-status");
  status.textContent = text("loading");
  try {
    const items = await api.queue($("queue-reason").value || "all");
    const list = clear($("queue"));
    for (const item of items) list.append(row(item));
    status.textContent = items.length ? "" : text("queueEmpty");
  } catch (error) {
    status.textContent = error.message;
  }
}

function labelledText(target) {
  return target === OUT_OF_SCOPE ? text("labelledOut") : text("labelled", { name: serviceName(target) });
}

function row(item) {
  const li = el("li", "queue-item", "", { "data-id": item.id });
  li.append(el("p", "said", item.text));
  const facts = [text(`reason_${item.reason}`), when(item.at)];
  if (item.decision && item.decision !== "none") facts.splice(1, 0, text(`decision_${item.decision}`)); // none: the reason says it
  if (item.confidence !== null) facts.splice(1, 0, text("confidence", { percent: percent(item.confidence) }));
  li.append(el("p", "quiet", facts.join(" · ")));
  const result = el("p", "result", item.labelled ? labelledText(item.labelled) : "", { role: "status" });

  const save = async (target) => {
    if (!target) {
      result.textContent = text("unknownService");
      return;
    }
    try {
      const saved = await api.label(item.id, target);
      result.textContent = labelledText(saved.labelled);
      li.classList.add("done");
    } catch (error) {
      result.textContent = error.message;
    }
  };

  if (item.candidates.length) {
    const guesses = el("p", "guesses", text("candidatesLabel"));
    for (const c of item.candidates) {
      const button = el("button", "chip", text("labelAs", { name: c.name }), { type: "button" });
      button.addEventListener("click", () => save(c.id));
      guesses.append(button);
    }
    li.append(guesses);
  } else {
    li.append(el("p", "quiet", text("noGuess"))); // below the guess floor: nothing one click could get wrong
  }

  const form = el("form", "inline-form");
  const inputId = `pick-${item.id}`;
  const input = el("input", "", "", { id: inputId, type: "search", list: "service-options", autocomplete: "off",
    placeholder: text("pickPlaceholder") });
  input.value = item.guess ? serviceName(item.guess.id) : "";
  const out = el("button", "button small secondary", text("outOfScopeButton"), { type: "button" });
  out.addEventListener("click", () => save(OUT_OF_SCOPE));
  form.append(el("label", "", text("pickService"), { for: inputId }), input,
    el("button", "button small", text("label"), { type: "submit" }), out);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(serviceId(input.value));
  });
  li.append(form, result);
  if (item.labelled) li.classList.add("done");
  return li;
}
