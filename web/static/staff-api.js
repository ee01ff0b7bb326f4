// What every staff page needs of the JSON API: requests with the one error shape, and signing in.
// The session is an HttpOnly cookie.
export class ApiError extends Error {
  constructor(message, status, code, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let networkMessage = "";

// The page's sentence for "the network failed" (the server's errors carry their own message).
export function setNetworkMessage(message) {
  networkMessage = message;
}

export async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch {
    throw new ApiError(networkMessage, 0, "network");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    // The API's one error shape: {code, message (Chinese), field}.
    throw new ApiError(body?.message || networkMessage, response.status, body?.code, body?.field);
  }
  return body;
}

export const post = (payload) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(payload),
});

export const me = () => request("/api/staff/me");
export const login = (username, password) => request("/api/staff/login", post({ username, password }));
export const logout = () => request("/api/staff/logout", { method: "POST" });
export const services = () => request("/api/services");
