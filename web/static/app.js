// The citizen web app: wires the conversation, the side panel and elderly mode to the JSON API.
import * as api from "./api.js";
import { say, setBusy, showCard, showChips } from "./chat.js";
import { setUpElder, speak } from "./elder.js";
import { followHandoff, setUpHandoff } from "./handoff.js";
import { setLimit, setUpLimit, tooLong } from "./limit.js";
import { setUpMic } from "./mic.js";
import { showOffers } from "./offers.js";
import { setUpPanel, showTurn } from "./panel.js";
import { applyStrings, t } from "./strings.js";

const IDLE_STATES = new Set(["idle", "submitted"]);
const input = document.getElementById("message-input");
let shownCard = null;
let pending = 0; // messages sent and not yet answered (api.js sends them one at a time, in order)

// `spoken`: the citizen said it aloud, so the answer is read aloud in either mode.
function render(turn, { spoken = false } = {}) {
  followHandoff(turn); // with a person: their messages arrive by polling, the assistant may say nothing
  if (turn.reply) say("bot", turn.reply);
  if (turn.reply) speak(turn.speech || turn.reply, { always: spoken }); // the speakable form: no masks or symbols
  show(turn);
}

// Everything a turn shows besides its reply: the card, the quick replies, the side panel.
function show(turn) {
  // A service's card once, when the conversation turns to it; not again on every question.
  if (turn.card && turn.card.id !== shownCard) showCard(turn.card);
  shownCard = turn.card?.id ?? shownCard;
  const chips = turn.suggestions.length || !IDLE_STATES.has(turn.state) ? turn.suggestions : t("starters");
  showChips(chips, send);
  showTurn(turn);
  if (turn.state === "submitted") showOffers(send);
}

async function send(text) {
  text = text.trim();
  if (!text) return;
  say("user", text);
  setBusy(++pending > 0);
  try {
    render(await api.chat(text));
  } catch (error) {
    say("bot", error.message);
    speak(error.message);
  } finally {
    setBusy(--pending > 0);
    // The chip that was used is gone: keep keyboard users in the conversation (not on touch
    // screens, where focusing the input would pop the keyboard over the reply).
    if (document.activeElement === document.body && matchMedia("(pointer: fine)").matches) input.focus();
  }
}

// A reloaded page shows the conversation this tab held, where it stands, and learns the chat's limit.
async function restore() {
  const kept = await api.conversation();
  setLimit(kept.max_message_chars);
  if (!kept.turn) {
    api.forget();
    return;
  }
  for (const line of kept.lines) if (line.text) say(line.role === "user" ? "user" : "bot", line.text);
  show(kept.turn);
  followHandoff(kept.turn); // still with a person: their messages come again from the handoff's feed
}

function start() {
  applyStrings();
  setUpPanel();
  setUpElder();
  setUpHandoff(send);
  // What the recogniser heard is shown as the citizen's own message, then the answer to it.
  setUpMic({ onHeard: (text) => say("user", text), onTurn: (turn) => render(turn, { spoken: true }) });
  const welcome = say("bot", t("welcome"));
  welcome.querySelector("p").dataset.text = "welcome"; // re-worded when the mode changes
  showChips(t("starters"), send);
  setUpLimit();
  // Before any message is sent (api.inTurn), so that a reply never lands above the restored conversation.
  api.inTurn(restore).catch(() => {});
  document.getElementById("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (tooLong(text)) return; // kept in the input, to be shortened
    input.value = "";
    send(text);
  });
}

start();
