// Protocol versioning. Every message carries `v`; a side refuses a version it does not speak with
// an error that says so, rather than a confusing field-by-field failure of a future message shape.
import type { z } from "zod";
import { ProtocolError, issuesOf } from "./errors.ts";

export const PROTOCOL_VERSION = 1 as const;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/**
 * Validates `input` as the message `name` against `schema`, after checking its version.
 * Throws ProtocolError naming the first field at fault. Returns the parsed (typed, branded) message.
 */
export function parseMessage<S extends z.ZodType>(schema: S, input: unknown, name: string): z.output<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ProtocolError(name, "invalid-message", [{ path: "", message: `expected a JSON object, got ${input === null ? "null" : Array.isArray(input) ? "an array" : typeof input}` }]);
  }
  const v = (input as { v?: unknown }).v;
  if (v === undefined) {
    throw new ProtocolError(name, "unsupported-version", [{ path: "v", message: `missing protocol version; this side speaks v${PROTOCOL_VERSION}` }]);
  }
  if (!SUPPORTED_VERSIONS.includes(v as number)) {
    throw new ProtocolError(name, "unsupported-version", [{ path: "v", message: `unsupported protocol version ${JSON.stringify(v)}; this side speaks v${SUPPORTED_VERSIONS.join(", v")}` }]);
  }
  const r = schema.safeParse(input);
  if (!r.success) throw new ProtocolError(name, "invalid-message", issuesOf(r.error));
  return r.data;
}

/** Parses JSON text then the message; a syntax error is a ProtocolError at the root. */
export function parseMessageJson<S extends z.ZodType>(schema: S, text: string, name: string): z.output<S> {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(name, "invalid-message", [{ path: "", message: `body is not JSON: ${(e as Error).message}` }]);
  }
  return parseMessage(schema, input, name);
}
