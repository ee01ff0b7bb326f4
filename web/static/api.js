// The JSON API of server.py. The session token comes back with every turn and is kept for this tab only.
import { t } from "./strings.js";

const SESSION_KEY = "govassist.session";

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function sessionId() {
  return sessionStorage.getItem(SESSION_KEY);
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch {
    throw new ApiError(t("networkError"), 0, "network");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    // The API's one error shape: {code, message (Chinese), field}.
    throw new ApiError(body?.message || t("networkError"), response.status, body?.code);
  }
  return body;
}

export function remember(turn) {
  if (turn?.session_id) sessionStorage.setItem(SESSION_KEY, turn.session_id);
  return turn;
}

const json = (payload) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(payload),
});

// A reply lost on the way (the network dropped, a proxy answered 502-504) is asked for again under
// the same message id: the server answers it from the session instead of applying the message twice,
// so a doubled 确认提交 still files one application.
const RESEND_AFTER_MS = [300, 1000];
const RESENDABLE = new Set([0, 502, 503, 504]);

function newMessageId() {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function chat(text) {
  const message = json({ session_id: sessionId(), text, message_id: newMessageId() });
  for (let attempt = 0; ; attempt++) {
    try {
      return remember(await request("/api/chat", message));
    } catch (error) {
      if (!RESENDABLE.has(error.status) || attempt >= RESEND_AFTER_MS.length) throw error;
      await pause(RESEND_AFTER_MS[attempt]);
    }
  }
}

export async function voice(audio) {
  const query = sessionId() ? `?session_id=${encodeURIComponent(sessionId())}` : "";
  return remember(await request(`/api/voice${query}`, { method: "POST", headers: { "Content-Type": audio.type }, body: audio }));
}

export function application(number) {
  // Personal fields come back only to the session that applied: say which session this is.
  const headers = sessionId() ? { "X-Session-Token": sessionId() } : {};
  return request(`/api/applications/${encodeURIComponent(number)}`, { headers });
}

export function recommendations() {
  // 服务找人 for this session: follow-ups of what it applied for and policies that may apply.
  const headers = sessionId() ? { "X-Session-Token": sessionId() } : {};
  return request("/api/recommendations", { headers });
}

export function feedback(rating, comment, applicationNumber) {
  return request("/api/feedback", json({ session_id: sessionId(), rating, comment, application: applicationNumber }));
}
