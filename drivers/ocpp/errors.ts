// OCPP-J 1.6 CALLERROR codes (OCPP-J 1.6 §4.2.3; "Occurence" is the specification's spelling) and the error a call
// from the hub ends in when the charge point answers with one, or not at all.

export const OCPP_ERROR_CODES = [
  "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError", "FormationViolation",
  "PropertyConstraintViolation", "OccurenceConstraintViolation", "TypeConstraintViolation", "GenericError",
] as const;
export type OcppErrorCode = (typeof OCPP_ERROR_CODES)[number];

/** A CALLERROR to send back, or one received. */
export class OcppCallError extends Error {
  constructor(readonly code: OcppErrorCode, readonly description: string, readonly details: Record<string, unknown> = {}) {
    super(`${code}: ${description}`);
    this.name = "OcppCallError";
  }
}

/** A call from the hub that got no answer in time, or whose connection went away before it was answered. */
export class OcppTimeoutError extends Error {
  constructor(readonly chargePointId: string, readonly action: string, readonly reason: string) {
    super(`${chargePointId}: ${action}: ${reason}`);
    this.name = "OcppTimeoutError";
  }
}
