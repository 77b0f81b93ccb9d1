// The hub↔utility protocol: versioned message schemas (zod) validated on both ends, the HTTP routes,
// request signing with replay protection, and utility-signed binding credentials. Imports only core/.
export * from "./errors.ts";
export * from "./api-error.ts";
export * from "./read-body.ts";
export * from "./on-api-error.ts";
export * from "./version.ts";
export * from "./primitives.ts";
export * from "./interval.ts";
export * from "./binding.ts";
export * from "./acks.ts";
export * from "./session-report.ts";
export * from "./session-report-batch.ts";
export * from "./premises-intervals.ts";
export * from "./dr-event.ts";
export * from "./dr-status.ts";
export * from "./hub-config.ts";
export * from "./bills.ts";
export * from "./receipts.ts";
export * from "./routes.ts";
export * from "./keys.ts";
export * from "./signing.ts";
export * from "./nonce-store.ts";
export * from "./credentials.ts";
export * from "./utility-client.ts";
export * from "./ocpi-cdr.ts";
// The binding vocabulary lives in core; re-exported so protocol users have one import.
export type { AuthenticationParameters, BindingCredential, BindingPath, BindingStatus, FallbackReason } from "../../core/binding/index.ts";
export * from "./examples.ts";
export * from "./secret-compare.ts";
export * from "./api-route.ts";
export * from "./openapi-document.ts";
