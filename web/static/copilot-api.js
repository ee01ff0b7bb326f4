// The staff-only JSON API (web/staff_routes.py, web/staff_api.py). The session is an HttpOnly cookie.
import { text } from "./copilot-text.js";
import { post, request, setNetworkMessage } from "./staff-api.js";

export { ApiError, login, logout, me, services } from "./staff-api.js";

setNetworkMessage(text("networkError"));

const order = (number) => `/api/workorders/${encodeURIComponent(number)}`;

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
