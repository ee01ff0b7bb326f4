// The admin-only JSON API behind the dashboard (web/admin_api.py, web/admin_kb_api.py).
import { text } from "./admin-text.js";
import { post, request, setNetworkMessage } from "./staff-api.js";

export { ApiError, login, logout, me, services } from "./staff-api.js";

setNetworkMessage(text("networkError"));

const query = (params) => new URLSearchParams(params).toString();

// Figures over [from, to): days as YYYY-MM-DD, `to` the day after the last one.
export const analytics = (from, to) => request(`/api/admin/analytics?${query({ from, to })}`);
export const csvUrl = (report, from, to) => `/api/admin/analytics.csv?${query({ report, from, to })}`;

export const queue = (reason) => request(`/api/admin/queue?${query({ reason })}`);
export const label = (id, target) => request(`/api/admin/queue/${id}/label`, post({ target }));

export const editableService = (id) => request(`/api/admin/kb/services/${encodeURIComponent(id)}`);
export const addEdit = (edit) => request("/api/admin/kb/edits", post(edit));
export const edits = () => request("/api/admin/kb/edits");
export const rollback = (id) => request(`/api/admin/kb/edits/${id}/rollback`, post({}));
export const startRebuild = () => request("/api/admin/rebuild", post({}));
export const rebuildStatus = () => request("/api/admin/rebuild");

export const followups = (status) => request(`/api/admin/followups${status ? `?${query({ status })}` : ""}`);
export const closeFollowup = (id, note) => request(`/api/admin/followups/${id}/close`, post({ note }));
