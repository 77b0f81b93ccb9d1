// The one error every Offpeak server answers with (hub, head-end, clearinghouse): an HTTP status, a stable code,
// a message a person can act on, and the field at fault. Routes throw it; one onError (on-api-error.ts) writes
// `{ "error": { "code", "message", "path"?, "details"? } }`.
import { z } from "zod";
import type { ApiErrorBody } from "../../core/index.ts";

const STATUS = {
  "bad-request": 400,
  "invalid-message": 400,
  "unsupported-version": 400,
  "invalid-tariff": 400,
  unauthorized: 401,
  forbidden: 403,
  "cross-premises": 403,
  "not-found": 404,
  "method-not-allowed": 405,
  conflict: 409,
  "misdirected-request": 421,
  "unprocessable-entity": 422,
  "payload-too-large": 413,
  "unsupported-media-type": 415,
  "too-many-requests": 429,
  internal: 500,
  "bad-gateway": 502,
  unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof STATUS;
export type ApiErrorStatus = (typeof STATUS)[ApiErrorCode];

/** The body of every non-2xx answer. */
export const errorBodySchema = z.object({
  error: z.object({
    /** Stable and machine-readable: `invalid-message`, `not-found`, `bad-signature`, … */
    code: z.string().min(1),
    message: z.string().min(1),
    /** The field at fault, written as its accessor: `intervals[3].wh`, `headers.x-offpeak-signature`. */
    path: z.string().optional(),
    /** Facts a client can act on, e.g. the ID of the record a conflict is with. */
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}) satisfies z.ZodType<ApiErrorBody>;
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  readonly status: ApiErrorStatus;
  constructor(
    /** The code decides the status (see STATUS), except where `status` overrides it (e.g. a 401-family code). */
    readonly code: ApiErrorCode | (string & {}),
    message: string,
    readonly path?: string,
    readonly details?: Record<string, unknown>,
    status?: ApiErrorStatus,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status ?? (STATUS as Record<string, ApiErrorStatus>)[code] ?? 400;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code, message: this.message,
        ...(this.path ? { path: this.path } : {}),
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export const badRequest = (message: string, path?: string) => new ApiError("bad-request", message, path);
export const notFound = (what: string, id: string, path?: string) => new ApiError("not-found", `${what} ${JSON.stringify(id)} not found`, path);
export const conflict = (message: string, path?: string, details?: Record<string, unknown>) => new ApiError("conflict", message, path, details);
