// A hand-kept OpenAPI 3.1 description of the hub's public API; a test checks every documented path answers.
export const hubOpenApi = {
  openapi: "3.1.0",
  info: { title: "Offpeak hub API", version: "1.0.0", description: "The home hub's local API: charge point status, charging sessions, events and intervals. Times are UTC seconds (NFR-1) with ISO copies." },
  servers: [{ url: "http://127.0.0.1:8080" }],
  paths: {
    "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "The hub is running", content: { "application/json": { schema: { type: "object", properties: { ok: { type: "boolean" }, uptimeS: { type: "integer" } } } } } } } } },
    "/api/v1/status": { get: { summary: "Charge point state, the current session with its binding state and reason, the comm-wait countdown", responses: { "200": { description: "Status", content: { "application/json": { schema: { $ref: "#/components/schemas/Status" } } } } } } },
    "/api/v1/sessions": { get: { summary: "Charging sessions, newest first", parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } }, { name: "before", in: "query", schema: { type: "integer", description: "UTC seconds: sessions plugged in before this" } }], responses: { "200": { description: "Sessions" }, "400": { description: "Bad query parameter", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } } } },
    "/api/v1/sessions/{id}": { get: { summary: "One session with its events and intervals", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "Session" }, "404": { description: "No such session", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } } } },
    "/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  },
  components: {
    schemas: {
      Error: { type: "object", required: ["error"], properties: { error: { type: "string" }, path: { type: "string" } } },
      Status: {
        type: "object",
        properties: {
          now: { type: "integer" }, premisesId: { type: "string" },
          chargePoint: { type: "object", properties: { evseState: { enum: ["A", "B", "C", "D", "E", "F", "unknown"] }, eumd: { enum: ["present", "absent", "unknown"] } } },
          session: { type: ["object", "null"], properties: { id: { type: "string" }, phase: { enum: ["awaiting-binding", "bound", "fallback", "ended"] }, established: { type: "boolean" }, fallbackReason: { type: ["string", "null"] }, fallbackReasonText: { type: ["string", "null"] }, commWaitLeftS: { type: ["integer", "null"] }, energyWh: { type: "integer" } } },
        },
      },
    },
  },
} as const;
