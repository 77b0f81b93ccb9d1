// The one onError of every Offpeak server: an ApiError (or a protocol or signature refusal) becomes its JSON
// body; a server's own domain errors are mapped by `translate`; anything else is a bug, logged with its stack
// and answered 500 without internals.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "./api-error.ts";
import { ProtocolError } from "./errors.ts";
import { RequestAuthError } from "./signing.ts";

export interface ApiErrorHandlerOptions {
  /** Which server logs the bug (`hub http`, `utility`, `clearinghouse`). */
  service: string;
  /** Maps a server's domain errors (VinError, TariffError, …) to the ApiError it answers with. */
  translate?: (e: Error) => ApiError | undefined;
  log?: (line: string) => void;
}

/** The ApiError `e` stands for, or undefined for a bug. */
export function asApiError(e: Error, translate?: (e: Error) => ApiError | undefined): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof ProtocolError) return new ApiError(e.code, e.message, e.path || undefined);
  if (e instanceof RequestAuthError) return new ApiError(e.reason, e.message, e.header ? `headers.${e.header}` : undefined, undefined, 401);
  return translate?.(e);
}

export function apiErrorHandler(o: ApiErrorHandlerOptions): ErrorHandler {
  const log = o.log ?? ((line: string) => console.error(line));
  return (e: Error, c: Context) => {
    const api = asApiError(e, o.translate);
    if (api) return c.json(api.toBody(), api.status as ContentfulStatusCode);
    log(`${o.service}: ${c.req.method} ${new URL(c.req.url).pathname}: ${e.stack ?? e}`);
    return c.json(new ApiError("internal", `internal error; see the ${o.service} log`).toBody(), 500);
  };
}

export const apiNotFound: NotFoundHandler = (c) =>
  c.json(new ApiError("not-found", `no route ${c.req.method} ${new URL(c.req.url).pathname}`).toBody(), 404);
