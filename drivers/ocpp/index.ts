// Public surface of the OCPP 1.6J central system (issue 16).
export { parseBasicAuth, passwordMatches, type SecurityProfile } from "./auth.ts";
export { CentralSystem, OcppConfigError, OCPP16_SUBPROTOCOL, type CentralSystemOptions, type KnownChargePoint, type PendingChargePoint } from "./central-system.ts";
export { ChargePointSession, type ChargePointListener, type ConnectorStatus, type FailSafeSettings, type Transaction } from "./charge-point-session.ts";
export { OcppCallError, OcppTimeoutError, type OcppErrorCode } from "./errors.ts";
export { CertificateError, ensureHubCertificate, type HubCertificate } from "./hub-certificate.ts";
export { createOcppCharger, J1772_OF_STATUS, type ControlMode, type OcppCharger, type OcppChargerOptions } from "./ocpp-charger.ts";
export { GENERIC_QUIRKS, loadQuirkFile, parseQuirkProfile, QUIRK_PROFILES, QuirkProfileError, quirksFor, type QuirkProfile } from "./quirks.ts";
