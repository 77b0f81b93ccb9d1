// Talks to the hub: same-origin fetch with the session cookie (sent by the browser, unreadable here) and the
// CSRF token header on every state-changing call. Errors carry the hub's message so the page can show it.
import type { ApiErrorBody, AuthStateView } from "../../core/index.ts";

let csrf: string | null = null;
export const setCsrf = (t: string | null) => { csrf = t; };

export class ApiError extends Error { constructor(message: string, readonly status: number, readonly path: string | null) { super(message); } }

async function check<T>(r: Response): Promise<T> {
  if (r.ok) return (await r.json()) as T;
  let msg = `${r.status} ${r.statusText}`;
  let path: string | null = null;
  try {
    const b = (await r.json()) as Partial<ApiErrorBody>;
    if (b.error?.message) msg = b.error.message;
    path = b.error?.path ?? null;
  } catch { /* not JSON */ }
  if (r.status === 401 && path === "cookie") window.dispatchEvent(new CustomEvent("offpeak-logged-out"));
  throw new ApiError(msg, r.status, path);
}

export const getJson = async <T>(path: string): Promise<T> => check<T>(await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } }));

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (csrf) headers["x-csrf-token"] = csrf;
  return check<T>(await fetch(path, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body) }));
}

export async function authState(): Promise<AuthStateView> {
  const s = await getJson<AuthStateView>("/api/v1/auth/state");
  setCsrf(s.csrf);
  return s;
}
