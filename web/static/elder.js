// Elderly mode (长辈模式): bigger text and buttons, fewer words, replies read aloud, a big microphone.
import { applyStrings, setElder, t } from "./strings.js";

const MODE_KEY = "govassist.elder";
const toggle = document.getElementById("elder-toggle");

let elder = false;

export function isElder() {
  return elder;
}

// Every reply is read aloud in elderly mode (the browser's own speech synthesis, Mandarin); in the
// normal mode only when `always` (an answer to something the citizen said aloud).
export function speak(text, { always = false } = {}) {
  if (!(elder || always) || !text || !("speechSynthesis" in window)) return;
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

export function setUpElder() {
  setMode(localStorage.getItem(MODE_KEY) === "1");
  toggle.addEventListener("click", () => {
    setMode(!elder);
    // The welcome as it now reads (with or without the microphone), else the plain one.
    const welcome = document.querySelector('#messages [data-text^="welcome"]');
    speak(welcome ? welcome.textContent : t("welcome"));
  });
}
