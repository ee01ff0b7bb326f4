// 转人工: while the conversation is with a person, the page asks GET /api/handoff every few seconds
// for what the agent wrote (marked with their 工号) and, once they hand back, what the assistant says.
import { sessionId } from "./api.js";
import { say, showChips } from "./chat.js";
import { speak } from "./elder.js";
import { t } from "./strings.js";

const POLL_MS = 3000; // 20 requests a minute, well inside the rate limit the chat shares
let cursor = 0;
let timer = null;
let announced = null; // the 工号 whose arrival was shown
let noticed = false; // "nobody is free" was shown for this wait
let reply = () => {}; // sends a quick reply as the citizen's message (app.js)

const speaker = (number) => t("agentSpeaker").replace("{number}", number);

async function poll() {
  timer = null;
  const id = sessionId();
  if (!id) return;
  let feed;
  try {
    const query = new URLSearchParams({ session_id: id, since: String(cursor) });
    const response = await fetch(`/api/handoff?${query}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    feed = await response.json();
  } catch {
    timer = setTimeout(poll, POLL_MS * 2); // the network failed: try again, a little later
    return;
  }
  cursor = feed.cursor;
  if (feed.status === "taken" && feed.work_number && announced !== feed.work_number) {
    announced = feed.work_number;
    say("note", t("agentJoined").replace("{number}", feed.work_number));
  }
  for (const message of feed.messages) {
    if (message.sender === "agent") say("agent", message.text, speaker(message.work_number));
    else say("bot", message.text);
    speak(message.text); // read aloud in 长辈模式, like the assistant's replies
  }
  if (feed.notice && !noticed) {
    noticed = true; // nobody took it in time: said once, with a call-back offered
    say("bot", feed.notice);
    speak(feed.notice);
    showChips(feed.suggestions, reply);
  }
  if (feed.status === "none") {
    announced = null; // back with the assistant: nothing more to ask for
    noticed = false;
    return;
  }
  timer = setTimeout(poll, POLL_MS);
}

export function setUpHandoff(send) {
  reply = send;
}

// After every turn: in handoff, make sure the page is listening for the person.
export function followHandoff(turn) {
  if (turn.state === "handoff" && timer === null) timer = setTimeout(poll, POLL_MS / 4);
}
