// The JSON API of server.py. The session token comes back with every turn and is kept for this tab only.
import { isElder } from "./elder.js";
import { t } from "./strings.js";

const SESSION_KEY = "govassist.session";

export class ApiError extends Error {
  // `retryAfter`: seconds to wait before asking again, when the server said (a 409 or 429).
  constructor(message, status, code, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
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
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(body?.message || t("networkError"), response.status, body?.code, retryAfter);
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

// A message refused because the conversation was busy (409 conversation_busy: another tab or device
// of the same conversation was being answered) was not applied: it is sent again, under the same
// message id, after the Retry-After the server gave.
const BUSY_RESENDS = 5;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One turn at a time: a message (typed, tapped or spoken) goes to the server only once the one before
// it has its reply, so this tab never sends two turns of its conversation at once, and a second
// message sent while the first is pending waits its turn in order. Each turn is sent with the session
// as it is when its turn comes (the first reply of a conversation names the session).
let lastTurn = Promise.resolve();

export function inTurn(task) {
  const run = lastTurn.then(task);
  lastTurn = run.catch(() => {});
  return run;
}

export function chat(text) {
  return inTurn(() => sendChat(text));
}

async function sendChat(text) {
  // elder: the page is in 长辈模式, so the reply comes in its short forms.
  const message = json({ session_id: sessionId(), text, message_id: newMessageId(), elder: isElder() });
  let lost = 0;
  let busy = 0;
  for (;;) {
    try {
      return remember(await request("/api/chat", message));
    } catch (error) {
      if (error.status === 409 && error.code === "conversation_busy" && busy < BUSY_RESENDS) {
        busy++;
        await pause((error.retryAfter || 1) * 1000);
      } else if (RESENDABLE.has(error.status) && lost < RESEND_AFTER_MS.length) {
        await pause(RESEND_AFTER_MS[lost++]);
      } else {
        throw error;
      }
    }
  }
}

export function voice(audio) {
  return inTurn(async () => {
    const query = `?${new URLSearchParams({ ...(sessionId() ? { session_id: sessionId() } : {}), elder: isElder() })}`;
    return remember(await request(`/api/voice${query}`, { method: "POST", headers: { "Content-Type": audio.type }, body: audio }));
  });
}

// The tab's own session, named for the server: personal fields come back only to the session they are of.
const own = () => (sessionId() ? { "X-Session-Token": sessionId() } : {});

export function caseStatus(number, phoneLast4 = "") {
  // An application (GA…) or a 12345 work order (WO…); a case another conversation filed needs the last
  // four digits of the phone given with it.
  const query = phoneLast4 ? `?phone_last4=${encodeURIComponent(phoneLast4)}` : "";
  return request(`/api/cases/${encodeURIComponent(number)}${query}`, { headers: own() });
}

export function conversation() {
  // The conversation this tab held, to show again after a reload, and the longest message the chat takes.
  return request("/api/conversation", { headers: own() });
}

export function forget() {
  // The server keeps no conversation under this tab's token (ended, erased): start a new one.
  sessionStorage.removeItem(SESSION_KEY);
}

export function recommendations() {
  // 服务找人 for this session: follow-ups of what it applied for and policies that may apply.
  const headers = sessionId() ? { "X-Session-Token": sessionId() } : {};
  return request("/api/recommendations", { headers });
}

export function feedback(rating, comment, applicationNumber) {
  return request("/api/feedback", json({ session_id: sessionId(), rating, comment, application: applicationNumber }));
}

// Whether the server has a speech recogniser (GET /api/health says "voice"); unknown counts as no.
export async function voiceAvailable() {
  try {
    return Boolean((await request("/api/health")).voice);
  } catch {
    return false;
  }
}
