// The conversation column: messages, service cards and quick-reply chips.
import { clear, el, pairs } from "./dom.js";
import { t } from "./strings.js";

const log = document.getElementById("messages");
const chipBar = document.getElementById("chips");

// The latest message at the bottom of the conversation box (a reply ends with its question), or, when
// it is taller than the box, its start at the top, to be read downwards. Only the box scrolls, and the
// conversation column comes into view whole: the buttons below it stay on screen.
function scrollDown() {
  const start = (log.lastElementChild?.offsetTop ?? 0) - 8;
  log.scrollTop = Math.min(log.scrollHeight - log.clientHeight, start);
  log.parentElement.scrollIntoView({ block: "nearest" });
}

// `speaker`: a person who is not the assistant (an agent after 转人工), named where everyone sees it.
export function say(role, text, speaker = "") {
  const bubble = el("div", `msg msg-${role}`);
  // A screen reader hears who is speaking; sighted users see it from the bubble's side and colour.
  const who = speaker ? el("span", "msg-speaker", speaker) : el("span", "visually-hidden", t(role === "user" ? "you" : "bot"));
  bubble.append(who, el("p", "", text));
  log.append(bubble);
  scrollDown();
  return bubble;
}

// A service guide at a glance: name, department, materials, time limit, fee.
export function showCard(card) {
  const article = el("article", "card", "", { "aria-label": card.name });
  const facts = el("dl", "facts");
  pairs(facts, [[t("cardDept"), card.dept], [t("cardTime"), card.time_limit], [t("cardFee"), card.fee]]);
  const materials = el("ol", "card-materials");
  for (const material of card.materials) materials.append(el("li", "", material));
  article.append(el("h3", "", card.name), facts, el("p", "card-label", t("cardMaterials")), materials);
  // Above the reply it came with: the question that reply ends with stays the last thing in view.
  const reply = log.lastElementChild?.matches(".msg-bot") ? log.lastElementChild : null;
  log.insertBefore(article, reply);
  scrollDown();
}

export function showChips(labels, onPick) {
  clear(chipBar);
  for (const label of labels) {
    const chip = el("button", "chip", label, { type: "button" });
    chip.addEventListener("click", () => onPick(label));
    chipBar.append(chip);
  }
  scrollDown(); // the new buttons took room from the conversation box: its end back in view
}

export function setBusy(busy) {
  log.setAttribute("aria-busy", String(busy));
  for (const chip of chipBar.querySelectorAll("button")) chip.disabled = busy;
}
