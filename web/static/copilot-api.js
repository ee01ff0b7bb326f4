// The staff-only JSON API (web/staff_routes.py, web/staff_api.py). The session is an HttpOnly cookie.
import { text } from "./copilot-text.js";

export class ApiError extends Error {
  constructor(message, status, code, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch {
    throw new ApiError(text("networkError"), 0, "network");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    // The API's one error shape: {code, message (Chinese), field}.
    throw new ApiError(body?.message || text("networkError"), response.status, body?.code, body?.field);
  }
  return body;
}

const post = (payload) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(payload),
});

const order = (number) => `/api/workorders/${encodeURIComponent(number)}`;

export const me = () => request("/api/staff/me");
export const login = (username, password) => request("/api/staff/login", post({ username, password }));
export const logout = () => request("/api/staff/logout", { method: "POST" });
export const services = () => request("/api/services");

export const suggest = (transcript) => request("/api/copilot/suggest", post({ transcript }));
// One caller detail of the live call in plain text (audited by the server).
export const revealDetail = (callId, transcript, field) =>
  request("/api/copilot/reveal", post({ call_id: callId, transcript, field }));

export const createOrder = (draft) => request("/api/workorders", post(draft));
export const listOrders = () => request("/api/workorders");
export const getOrder = (number) => request(order(number));
export const moveOrder = (number, to, note, dept) =>
  request(`${order(number)}/transitions`, post(dept ? { to, note, dept } : { to, note }));
export const orderHistory = (number) => request(`${order(number)}/history`);
export const revealOrderField = (number, field) => request(`${order(number)}/reveal`, post({ field }));
