// The dashboard's small JSON bodies: read through the protocol's one reader (size limit while streaming, UTF-8,
// JSON) as an object whose fields each route checks with its own message.
import type { Context } from "hono";
import { z } from "zod";
import { parseJsonBody, readBodyText } from "../../../cloud-sync/protocol/index.ts";

/** Dashboard bodies are a few fields: 8 KiB is generous, and a 100 MB login body is refused at its first 8 KiB. */
export const DASHBOARD_MAX_BODY_BYTES = 8 * 1024;

const jsonObject = z.record(z.string(), z.unknown(), { error: "the body must be a JSON object" });

/** The body as a JSON object; with `emptyIsEmptyObject`, no body at all means `{}`. */
export async function readObject(c: Context, opts: { emptyIsEmptyObject?: boolean } = {}): Promise<Record<string, unknown>> {
  const text = await readBodyText(c.req.raw, DASHBOARD_MAX_BODY_BYTES);
  if (opts.emptyIsEmptyObject && text.trim() === "") return {};
  return parseJsonBody(text, jsonObject);
}
