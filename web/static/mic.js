// The microphone button: records with MediaRecorder and streams the audio over WS /ws/voice, showing
// what is heard so far; where the socket cannot be used, the whole recording goes to POST /api/voice
// once the citizen has finished.
import * as api from "./api.js";
import { speak } from "./elder.js";
import { t } from "./strings.js";
import { SocketLost, streamVoice } from "./voice.js";

const SLICE_MS = 250; // how often the recorder hands over a chunk to stream
const UNAVAILABLE = new Set([404, 405, 501, 503]); // no voice endpoint, or no recogniser loaded
// The server's reasons for not listening are written for whoever runs it (which model to install):
// a citizen is told in the page's own words instead.
const NOT_INSTALLED = new Set(["voice_unavailable", "voice_model_missing"]);
const mic = document.getElementById("mic");
const micStatus = document.getElementById("mic-status");
const heardSoFar = document.getElementById("mic-heard");

let recorder = null;

function tell(text) {
  micStatus.textContent = text;
  speak(text);
}

function listening(on) {
  const text = document.getElementById("mic-text");
  mic.setAttribute("aria-pressed", String(on));
  text.dataset.text = on ? "micStop" : "mic";
  text.textContent = t(text.dataset.text);
}

// The server's own message when it sent one (why voice is unavailable, what was wrong with the audio).
function explain(error) {
  const unavailable = NOT_INSTALLED.has(error.code) || (!error.code && UNAVAILABLE.has(error.status));
  return unavailable ? t("micUnavailable") : error.message;
}

// What the server made of the recording: over the socket, or (the socket lost) by POST once it is over.
async function understand(live, stopped, chunks, onHeard) {
  try {
    return await live.result;
  } catch (error) {
    if (!(error instanceof SocketLost)) throw error;
  }
  const type = await stopped;
  const turn = await api.voice(new Blob(chunks, { type }));
  onHeard(turn.heard);
  return turn;
}

async function record({ onHeard, onTurn }) {
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) {
    tell(t("micNoPermission"));
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    tell(t("micNoPermission"));
    return;
  }
  const live = streamVoice({
    onPartial: (text) => (heardSoFar.textContent = text),
    onFinal: (text) => {
      heardSoFar.textContent = "";
      if (text.trim()) onHeard(text);
    },
  });
  const chunks = [];
  const ownRecorder = (recorder = new MediaRecorder(stream));
  ownRecorder.addEventListener("dataavailable", (event) => {
    if (!event.data.size) return;
    chunks.push(event.data); // kept for POST, should the socket be lost
    live.send(event.data);
  });
  let answered = false;
  const stopped = new Promise((resolve) => ownRecorder.addEventListener("stop", () => {
    stream.getTracks().forEach((track) => track.stop());
    recorder = null;
    listening(false);
    // The last chunk came just before "stop". "end" makes the turn: it waits for the turn before it.
    api.inTurn(() => {
      live.end();
      return live.result.catch(() => {});
    });
    if (!answered) micStatus.textContent = t("micSending");
    resolve(ownRecorder.mimeType || "audio/webm");
  }));
  ownRecorder.start(SLICE_MS);
  listening(true);
  tell(t("micListening"));

  try {
    const turn = await understand(live, stopped, chunks, onHeard);
    answered = true;
    if (!turn) {
      tell(t("micNotHeard"));
      return;
    }
    micStatus.textContent = "";
    onTurn(turn);
  } catch (error) {
    // Said at once, even mid-sentence: no point in talking on to a server that cannot listen.
    answered = true;
    if (ownRecorder.state !== "inactive") ownRecorder.stop();
    heardSoFar.textContent = "";
    tell(explain(error));
  }
}

// `onHeard(text)`: the citizen's words as recognised; `onTurn(turn)`: the assistant's answer.
// The microphone shows only where the server can listen; only then does the welcome offer it.
export async function setUpMic(handlers) {
  if (!(await api.voiceAvailable())) return;
  mic.hidden = false;
  for (const welcome of document.querySelectorAll('#messages [data-text="welcome"]')) {
    welcome.dataset.text = "welcomeVoice"; // so the mode switch rewords it as this one
    welcome.textContent = t("welcomeVoice");
  }
  mic.addEventListener("click", () => (recorder ? recorder.stop() : record(handlers)));
}
