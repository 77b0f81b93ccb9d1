// Reads a JSON request body against a zod schema; a malformed body is a 400 naming the field at fault.
import type { Context } from "hono";
import type { z } from "zod";
import { formatPath } from "../protocol/index.ts";

export class BodyError extends Error {
  constructor(readonly path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = "BodyError";
  }
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (e) {
    throw new BodyError("", `body is not JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new BodyError(formatPath(first.path), first.message);
  }
  return r.data;
}
