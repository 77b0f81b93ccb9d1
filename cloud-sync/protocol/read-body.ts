// The one request-body reader of every Offpeak server: the size limit is enforced WHILE the body streams in (a
// 100 MB body is refused after its first 64 KiB, not buffered whole), the bytes must be UTF-8 JSON, and the JSON
// must match the route's schema. Every refusal is an ApiError naming what is wrong and where.
import type { z } from "zod";
import { ApiError } from "./api-error.ts";
import { formatPath } from "./errors.ts";

/** Bodies of the dashboard, operator and clearinghouse routes are small: 64 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Reads at most `maxBytes` of the request body; more is a 413 (the rest is never read). */
export async function readBodyBytes(req: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    throw new ApiError("payload-too-large", `the body is ${declared} bytes; this route takes at most ${maxBytes}`, "body", { maxBytes });
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ApiError("payload-too-large", `the body is over ${maxBytes} bytes; this route takes at most ${maxBytes}`, "body", { maxBytes });
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text: at most `maxBytes`, valid UTF-8. */
export async function readBodyText(req: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const bytes = await readBodyBytes(req, maxBytes);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError("bad-request", "the body is not valid UTF-8", "body");
  }
}

/** Parses JSON text against `schema`; the first field at fault is named in the message and the path. */
export function parseJsonBody<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ApiError("bad-request", `the body is not JSON: ${(e as Error).message}`, "body");
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    const path = formatPath(first.path);
    throw new ApiError("bad-request", `${path || "body"}: ${first.message}`, path || "body");
  }
  return r.data;
}

/** Reads, size-checks and validates a JSON request body. */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<z.output<S>> {
  return parseJsonBody(await readBodyText(req, maxBytes), schema);
}
