// Elderly mode (长辈模式): bigger text and buttons, fewer words, replies read aloud, a big microphone.
import * as api from "./api.js";
import { applyStrings, setElder, t } from "./strings.js";

const MODE_KEY = "govassist.elder";
const UNAVAILABLE = new Set([404, 405, 501, 503]); // no voice endpoint (yet), or no recogniser loaded
const toggle = document.getElementById("elder-toggle");
const mic = document.getElementById("mic");
const micStatus = document.getElementById("mic-status");

let elder = false;
let recorder = null;

export function isElder() {
  return elder;
}

// Every reply is read aloud in elderly mode (the browser's own speech synthesis, Mandarin).
export function speak(text) {
  if (!elder || !("speechSynthesis" in window)) return;
  speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.rate = 0.9;
  const voice = speechSynthesis.getVoices().find((v) => v.lang.replace("_", "-").toLowerCase().startsWith("zh"));
  if (voice) utterance.voice = voice;
  speechSynthesis.speak(utterance);
}

function setMode(on) {
  elder = on;
  setElder(on);
  document.documentElement.classList.toggle("elder", on);
  toggle.setAttribute("aria-pressed", String(on));
  localStorage.setItem(MODE_KEY, on ? "1" : "0");
  applyStrings();
}

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

async function record(onTurn) {
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
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
  recorder.addEventListener("stop", async () => {
    stream.getTracks().forEach((track) => track.stop());
    const audio = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
    recorder = null;
    listening(false);
    micStatus.textContent = t("micSending");
    try {
      const turn = await api.voice(audio);
      micStatus.textContent = "";
      onTurn(turn);
    } catch (error) {
      tell(UNAVAILABLE.has(error.status) ? t("micUnavailable") : error.message);
    }
  });
  recorder.start();
  listening(true);
  tell(t("micListening"));
}

export function setUpElder(onTurn) {
  setMode(localStorage.getItem(MODE_KEY) === "1");
  toggle.addEventListener("click", () => {
    setMode(!elder);
    speak(t("welcome"));
  });
  mic.addEventListener("click", () => (recorder ? recorder.stop() : record(onTurn)));
}
