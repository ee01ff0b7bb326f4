// The longest message the chat takes (the server's limit, from GET /api/conversation): a counter once
// the text nears it, and a refusal that says the limit instead of sending. Nothing is cut: the
// citizen decides what to leave out.
import { t } from "./strings.js";

const SHOW_FROM = 0.8; // the counter appears at 80 % of the limit
const input = document.getElementById("message-input");
const note = document.getElementById("message-limit");
let max = null; // unknown until the server says; the server refuses an over-long message anyway

// Characters as the server counts them (code points: an emoji is one, not two UTF-16 units).
const length = (text) => [...text].length;
const fill = (key, count) => t(key).replace("{count}", String(count)).replace("{max}", String(max));

function show(text, over) {
  note.hidden = !text;
  note.textContent = text;
  note.classList.toggle("over", over);
  input.setAttribute("aria-invalid", String(over));
}

function count() {
  const n = length(input.value);
  if (max === null || n < max * SHOW_FROM) show("", false);
  else show(fill("messageCount", n), n > max);
}

export function setLimit(chars) {
  max = chars;
  count();
}

// True (and the refusal shown) when `text` is over the limit: it must not be sent.
export function tooLong(text) {
  const n = length(text);
  if (max === null || n <= max) {
    show("", false); // it goes, and the input is emptied
    return false;
  }
  show(fill("messageTooLong", n), true);
  return true;
}

export function setUpLimit() {
  input.addEventListener("input", count);
}
