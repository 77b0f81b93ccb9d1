// Reads a JSON body against a zod schema; a malformed body is a 400 naming the first field at fault.
import type { Context } from "hono";
import type { z } from "zod";
import { formatPath } from "../../protocol/index.ts";
import { badRequest } from "../errors.ts";

export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (e) {
    throw badRequest(`body is not JSON: ${(e as Error).message}`, "");
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    const path = formatPath(first.path);
    throw badRequest(`${path || "body"}: ${first.message}`, path);
  }
  return r.data;
}
