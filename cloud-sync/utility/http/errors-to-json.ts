// One place that turns any failure into the JSON answer the API promises: status, message, and the field at fault.
import type { Context } from "hono";
import { IdError } from "../../../core/ids/index.ts";
import { VinError } from "../../../core/ids/index.ts";
import { TariffError } from "../../../core/tariff/index.ts";
import { ProtocolError } from "../../protocol/index.ts";
import { RequestAuthError } from "../../protocol/index.ts";
import { KeyError } from "../../protocol/index.ts";
import { HeadEndError } from "../errors.ts";
import { LedgerError } from "../ledger/ledger.ts";

export function errorToJson(err: Error, c: Context): Response {
  if (err instanceof HeadEndError) {
    return c.json({ error: err.message, code: err.code, ...(err.field ? { path: err.field } : {}), ...(err.extra ?? {}) }, err.status);
  }
  if (err instanceof ProtocolError) return c.json(err.toBody(), 400);
  if (err instanceof RequestAuthError) return c.json(err.toBody(), 401);
  if (err instanceof VinError) return c.json({ error: err.message, code: "invalid-message", path: "vin" }, 400);
  if (err instanceof IdError) return c.json({ error: err.message, code: "invalid-message", path: `${err.kind}Id` }, 400);
  if (err instanceof TariffError) return c.json({ error: err.message, code: "invalid-tariff", path: `tariff.${err.path}` }, 400);
  if (err instanceof KeyError) return c.json({ error: err.message, code: "invalid-message", path: "publicKeyPem" }, 400);
  if (err instanceof LedgerError) return c.json({ error: err.message, code: "ledger" }, 500);
  console.error("utility head-end: unexpected error", err);
  return c.json({ error: `internal error: ${err.message}`, code: "internal" }, 500);
}
