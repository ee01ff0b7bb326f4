// WS /ws/voice: a recording goes out in chunks as it is made; what is heard so far comes back while
// the citizen speaks, then the final words and the Turn. Used by the microphone (mic.js).
import { ApiError, remember, sessionId } from "./api.js";
import { isElder } from "./elder.js";
import { t } from "./strings.js";

// The socket closed before the server said anything: the caller can send the recording another way.
export class SocketLost extends Error {}

function socketUrl() {
  const url = new URL("/ws/voice", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (sessionId()) url.searchParams.set("session_id", sessionId());
  url.searchParams.set("elder", isElder()); // 长辈模式: the short replies
  return url.href;
}

// `onPartial(text)` while listening, `onFinal(text)` once. `result` settles with the Turn (null when
// nothing was heard), or fails with the server's ApiError, or with SocketLost.
export function streamVoice({ onPartial, onFinal }) {
  let socket;
  try {
    socket = new WebSocket(socketUrl());
  } catch {
    const result = Promise.reject(new SocketLost());
    result.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection
    return { send() {}, end() {}, result };
  }
  const waiting = []; // chunks recorded before the socket opened
  socket.addEventListener("open", () => waiting.splice(0).forEach((message) => socket.send(message)));
  const send = (message) => {
    if (socket.readyState === WebSocket.CONNECTING) waiting.push(message);
    else if (socket.readyState === WebSocket.OPEN) socket.send(message); // once closed, nothing more to say
  };

  const result = new Promise((resolve, reject) => {
    let heard = null;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "partial") onPartial(message.text);
      else if (message.type === "final") onFinal((heard = message.text));
      else if (message.type === "turn") resolve(remember(message.turn));
      else if (message.type === "error") reject(new ApiError(message.message, 0, message.code));
    });
    // Settling twice does nothing: after a turn or an error the close changes nothing.
    socket.addEventListener("close", () => {
      if (heard === null) reject(new SocketLost());
      else if (heard.trim()) reject(new ApiError(t("networkError"), 0, "network"));
      else resolve(null);
    });
  });
  result.catch(() => {}); // as above
  return { send, end: () => send("end"), result };
}
