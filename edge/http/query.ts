// Query parameters of the hub's routes: a whole number in a range, or a 400 naming the parameter.
import type { Context } from "hono";
import { badRequest } from "../../cloud-sync/protocol/index.ts";

export function queryInt(c: Context, name: string, min: number, max: number, dflt: number): number {
  const raw = c.req.query(name);
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(`query parameter ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`, name);
  }
  return n;
}
