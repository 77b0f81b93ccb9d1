// Errors the head-end answers with: each carries the HTTP status and, where one field is at fault, its path.

export type HeadEndErrorCode =
  | "bad-request" | "unauthorized" | "forbidden" | "not-found" | "conflict" | "unavailable";

const STATUS: Record<HeadEndErrorCode, 400 | 401 | 403 | 404 | 409 | 503> = {
  "bad-request": 400, unauthorized: 401, forbidden: 403, "not-found": 404, conflict: 409, unavailable: 503,
};

export class HeadEndError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 503;
  constructor(readonly code: HeadEndErrorCode, message: string, readonly field?: string, readonly extra?: Record<string, unknown>) {
    super(message);
    this.name = "HeadEndError";
    this.status = STATUS[code];
  }
}

export const notFound = (what: string, id: string, field?: string) => new HeadEndError("not-found", `${what} ${JSON.stringify(id)} not found`, field);
export const badRequest = (message: string, field?: string) => new HeadEndError("bad-request", message, field);
export const conflict = (message: string, field?: string, extra?: Record<string, unknown>) => new HeadEndError("conflict", message, field, extra);
