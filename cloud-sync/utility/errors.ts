// The head-end answers every failure with the protocol's one ApiError (cloud-sync/protocol/api-error.ts). This file
// maps the domain's own errors (an invalid VIN, a bad tariff, a broken ledger invariant) to the answer they stand for.
import { IdError, VinError } from "../../core/ids/index.ts";
import { TariffError } from "../../core/tariff/index.ts";
import { ApiError, KeyError } from "../protocol/index.ts";
import { LedgerError } from "./ledger/ledger.ts";

export { ApiError, badRequest, conflict, notFound } from "../protocol/index.ts";

export function translateUtilityError(e: Error): ApiError | undefined {
  if (e instanceof VinError) return new ApiError("invalid-message", e.message, "vin");
  if (e instanceof IdError) return new ApiError("invalid-message", e.message, `${e.kind}Id`);
  if (e instanceof TariffError) return new ApiError("invalid-tariff", e.message, `tariff.${e.path}`);
  if (e instanceof KeyError) return new ApiError("invalid-message", e.message, "publicKeyPem");
  // A ledger invariant broken is a bug on our side, but its message is safe and useful to the operator.
  if (e instanceof LedgerError) return new ApiError("internal", e.message, undefined, undefined, 500);
  return undefined;
}
