// GET /openapi.json: the head-end's API described from the same zod schemas that validate the requests,
// so the document cannot drift from what the server accepts.
import { z } from "zod";
import { ROUTES } from "../../protocol/index.ts";
import { cdrDeliverySchema } from "../../protocol/index.ts";
import {
  accountBodySchema, accountCloseBodySchema, closeBillBodySchema, customerBodySchema, drEventBodySchema, enrollmentBodySchema, hubPairingBodySchema,
  pevBodySchema, premisesBodySchema, programBodySchema, revocationBodySchema, sessionReviewBodySchema, tariffBodySchema,
} from "./operator-schemas.ts";

type Auth = "none" | "operator" | "hub-signature" | "customer" | "clearinghouse";
interface Op { method: "get" | "post" | "put" | "delete"; path: string; summary: string; auth: Auth; body?: z.ZodType; response?: z.ZodType }

const OPS: Op[] = [
  { method: "get", path: "/healthz", summary: "Liveness", auth: "none" },
  { method: "get", path: "/openapi.json", summary: "This document", auth: "none" },
  { method: "get", path: "/v1/programs", summary: "Programs open for enrollment and how to enroll (FR-01, FR-02)", auth: "none" },
  ...Object.values(ROUTES).map((r): Op => ({
    method: r.method === "GET" ? "get" : "post", path: r.path, summary: r.name, auth: r.signedByHub ? "hub-signature" : "operator",
    ...(r.request ? { body: r.request } : {}), response: r.response,
  })),
  { method: "put", path: "/v1/operator/programs/{id}", summary: "Create or change a program", auth: "operator", body: programBodySchema },
  { method: "get", path: "/v1/operator/programs", summary: "All programs", auth: "operator" },
  { method: "post", path: "/v1/operator/customers", summary: "Create or change a customer", auth: "operator", body: customerBodySchema },
  { method: "post", path: "/v1/operator/accounts", summary: "Open an account; returns the customer API token once", auth: "operator", body: accountBodySchema },
  { method: "post", path: "/v1/operator/accounts/{id}/token", summary: "Issue a new customer API token (the old one stops working)", auth: "operator" },
  { method: "post", path: "/v1/operator/accounts/{id}/close", summary: "Close an account on its last day of service (closedOn, default today)", auth: "operator", body: accountCloseBodySchema },
  { method: "post", path: "/v1/operator/premises", summary: "Create or change a premises", auth: "operator", body: premisesBodySchema },
  { method: "post", path: "/v1/operator/pevs", summary: "Register a PEV by VIN (FR-03)", auth: "operator", body: pevBodySchema },
  { method: "post", path: "/v1/operator/enrollments", summary: "Enroll a PEV at a premises in a program (FR-04)", auth: "operator", body: enrollmentBodySchema },
  { method: "get", path: "/v1/operator/enrollments/{vin}", summary: "Enrollment of a PEV; `enrolled: false` when not (FR-05)", auth: "operator" },
  { method: "post", path: "/v1/operator/hubs", summary: "Pair a hub's Ed25519 key with a premises", auth: "operator", body: hubPairingBodySchema },
  { method: "delete", path: "/v1/operator/hubs/{id}", summary: "Unpair a hub", auth: "operator" },
  { method: "put", path: "/v1/operator/tariffs/{id}", summary: "Load a tariff (core/tariff shape)", auth: "operator", body: tariffBodySchema },
  { method: "get", path: "/v1/operator/tariffs", summary: "Known tariff IDs", auth: "operator" },
  { method: "post", path: "/v1/operator/revocations", summary: "Revoke a PEV's binding credentials at a premises", auth: "operator", body: revocationBodySchema },
  { method: "post", path: "/v1/operator/dr-events", summary: "Issue a demand-response event", auth: "operator", body: drEventBodySchema },
  { method: "post", path: "/v1/operator/dr-events/{id}/cancel", summary: "Cancel a demand-response event", auth: "operator" },
  { method: "get", path: "/v1/operator/dr-events/{id}", summary: "A demand-response event and the hubs' reports", auth: "operator" },
  { method: "post", path: "/v1/operator/bills", summary: "Close a month for an account into a bill (FR-34)", auth: "operator", body: closeBillBodySchema },
  { method: "get", path: "/v1/operator/bills/{accountId}/{month}", summary: "A closed bill", auth: "operator" },
  { method: "get", path: "/v1/operator/sessions/{id}", summary: "A session, its ledger entries, CDR and review decisions", auth: "operator" },
  { method: "post", path: "/v1/operator/sessions/{id}/review", summary: "Release (bill as intake would have) or reject a session held for review (FR-15); 404 unknown, 409 not held", auth: "operator", body: sessionReviewBodySchema },
  { method: "get", path: "/v1/operator/ledger", summary: "Ledger totals (sum of all postings is zero); ?account=", auth: "operator" },
  { method: "post", path: "/v1/operator/roaming/flush", summary: "Send pending CDRs and roaming tokens to the clearinghouse now", auth: "operator" },
  { method: "post", path: "/v1/clearinghouse/cdrs", summary: "A CDR for one of our PEVs, pushed by the clearinghouse (FR-30)", auth: "clearinghouse", body: cdrDeliverySchema },
  { method: "get", path: "/v1/customer/overview", summary: "Program, tariff, premises and PEVs (FR-35)", auth: "customer" },
  { method: "get", path: "/v1/customer/usage", summary: "Energy and charges of a month so far; ?month=YYYY-MM", auth: "customer" },
  { method: "get", path: "/v1/customer/bills", summary: "Closed bills", auth: "customer" },
  { method: "get", path: "/v1/customer/sessions", summary: "Charging sessions", auth: "customer" },
  { method: "get", path: "/v1/customer/green-button", summary: "Green Button Download My Data: ESPI Atom XML of the account's premises and PEV interval usage; ?month=YYYY-MM or ?from=YYYY-MM-DD&to=YYYY-MM-DD (local, to excluded); ?account= may name the token's own account (any other: 404)", auth: "customer" },
  { method: "get", path: "/v1/customer/green-button.csv", summary: "The same usage as CSV", auth: "customer" },
  { method: "get", path: "/v1/customer/dr-events", summary: "Demand-response events and their status", auth: "customer" },
];

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  none: [], operator: [{ operator: [] }], "hub-signature": [{ hubSignature: [] }], customer: [{ customer: [] }], clearinghouse: [{ clearinghouse: [] }],
};

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

export function openApiDocument(utilityId: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPS) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      security: SECURITY[op.auth],
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body) } } } } : {}),
      responses: {
        "200": { description: "OK", ...(op.response ? { content: { "application/json": { schema: jsonSchema(op.response) } } } : {}) },
        "400": { description: "Malformed body: `error` and `path` name the field at fault" },
        ...(op.auth !== "none" ? { "401": { description: "Not authenticated (bad signature, stale, replayed, unknown hub, or token)" } } : {}),
        ...(op.auth === "hub-signature" ? { "403": { description: "The message names a premises the hub is not paired to" } } : {}),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: `Offpeak utility head-end (${utilityId})`, version: "1" },
    components: {
      securitySchemes: {
        operator: { type: "http", scheme: "bearer", description: "operator token" },
        customer: { type: "http", scheme: "bearer", description: "customer token issued when the account was opened" },
        clearinghouse: { type: "http", scheme: "bearer", description: "token shared with the clearinghouse" },
        hubSignature: { type: "apiKey", in: "header", name: "x-offpeak-signature", description: "Ed25519 over method, path, hub, time, nonce and body digest (cloud-sync/protocol/signing.ts)" },
      },
    },
    paths,
  };
}
