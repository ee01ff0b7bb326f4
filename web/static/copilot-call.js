// The live call: its id, the transcript the agent types line by line, and the suggestions that follow.
// Lines go over WS /ws/copilot/{call_id}, which keeps the call's transcript and answers each line with
// a suggestion; while the socket is down, the whole transcript is posted to /api/copilot/suggest.
import * as api from "./copilot-api.js";
import { clear, el } from "./dom.js";
import { text } from "./copilot-text.js";

const $ = (id) => document.getElementById(id);

// Long numbers said in the call (mobiles, ID numbers, accounts) stay masked on screen, as the caller
// details are, until the agent reveals one: mobiles 138****8000, ID numbers 110101********4514.
const LONG_NUMBER = /(?<![0-9A-Za-z])\d{7,}[Xx]?(?![0-9A-Za-z])/g;

export function maskNumbers(line) {
  return line.replace(LONG_NUMBER, (run) => {
    const keep = run.length >= 15 ? 6 : 3;
    return run.slice(0, keep) + "*".repeat(run.length - keep - 4) + run.slice(-4);
  });
}

let call = null;

export function currentCall() {
  return call;
}

function newCallId() {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

function showTranscript(lines) {
  const log = clear($("transcript"));
  for (const line of lines) log.append(el("p", "line", maskNumbers(line)));
  $("transcript-empty").hidden = lines.length > 0;
  log.lastElementChild?.scrollIntoView({ block: "nearest" });
}

function connect(current, handlers) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/copilot/${current.id}`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (current !== call) return;
    if (message.type === "suggestion") {
      current.transcript = message.transcript; // the lines on screen already
      handlers.onSuggestion(message, current);
    } else if (message.type === "error") {
      handlers.onError(message);
    }
  });
  // Lines typed before the socket opens wait for it, so the server's transcript misses none of them.
  const opened = new Promise((resolve) => {
    socket.addEventListener("open", () => resolve(true));
    socket.addEventListener("close", () => resolve(false));
  });
  return { socket, opened };
}

// Starts a new call (a fresh id and an empty transcript), leaving the previous one.
export function startCall(handlers) {
  call?.socket.close();
  call = { id: newCallId(), lines: [], transcript: "", asked: 0, handlers };
  Object.assign(call, connect(call, handlers));
  $("call-id").textContent = call.id;
  showTranscript([]);
  return call;
}

export function endCall() {
  call?.socket.close();
  call = null;
}

export async function addLine(line) {
  const current = call;
  line = line.trim();
  if (!current || !line) return;
  current.lines.push(line);
  showTranscript(current.lines);
  if ((await current.opened) && current.socket.readyState === WebSocket.OPEN) {
    current.socket.send(JSON.stringify({ type: "text", text: line }));
    return;
  }
  const transcript = current.lines.join("\n");
  const asked = ++current.asked;
  try {
    const suggestion = await api.suggest(transcript);
    // An older answer arriving after a newer one is dropped.
    if (current !== call || asked !== current.asked) return;
    current.transcript = transcript;
    current.handlers.onSuggestion({ ...suggestion, transcript }, current);
  } catch (error) {
    if (current === call) current.handlers.onError(error);
  }
}
