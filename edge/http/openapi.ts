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
    // The dashboard's routes (edge/http/dashboard): all behind the owner's login; POSTs need the x-csrf-token header.
    "/api/v1/auth/state": { get: { summary: "Whether setup is needed and whether this client is logged in", responses: { "200": { description: "Auth state" } } } },
    "/api/v1/auth/setup": { post: { summary: "First run: the one-time setup code and the owner's new password", responses: { "200": { description: "Logged in; body carries the CSRF token" }, "400": { description: "Password too short" }, "401": { description: "Wrong code" }, "409": { description: "Already set up" } } } },
    "/api/v1/auth/login": { post: { summary: "Log in with the owner's password (rate-limited)", responses: { "200": { description: "Logged in" }, "401": { description: "Wrong password" }, "429": { description: "Too many attempts" } } } },
    "/api/v1/auth/logout": { post: { summary: "End this session", responses: { "200": { description: "Logged out" } } } },
    "/api/v1/auth/password": { post: { summary: "Change the password (logs out every other session)", responses: { "200": { description: "Changed" } } } },
    "/api/v1/auth/guest-view": { post: { summary: "Turn the read-only guest view on or off (off by default)", responses: { "200": { description: "Set" } } } },
    "/api/v1/events": { get: { summary: "Server-Sent Events: `now` (status), `reading` (live power/energy), `ping`", responses: { "200": { description: "text/event-stream" } } } },
    "/api/v1/dashboard/now": { get: { summary: "The Now page: status, binding, price now and next cheaper, cost so far, charge plan, demand response", responses: { "200": { description: "Now view" } } } },
    "/api/v1/dashboard/sessions": { get: { summary: "Sessions with outcome, rate, energy, cost and sync state", responses: { "200": { description: "Sessions" } } } },
    "/api/v1/sessions.csv": { get: { summary: "Sessions as CSV", responses: { "200": { description: "text/csv" } } } },
    "/api/v1/dashboard/usage": { get: { summary: "Daily energy by price period for a month (?month=YYYY-MM), bills synced from the utility", responses: { "200": { description: "Usage" }, "400": { description: "Bad month" } } } },
    "/api/v1/dashboard/program": { get: { summary: "Program, enrolled vehicles, tariffs as day strips", responses: { "200": { description: "Program" } } } },
    "/api/v1/dashboard/devices": { get: { summary: "Charger, EUMD, premises meter and Zigbee network health", responses: { "200": { description: "Devices" } } } },
    "/api/v1/dashboard/settings": { get: { summary: "Utility link, outbox, comm-wait window, interval length", responses: { "200": { description: "Settings" } } } },
    "/api/v1/dashboard/charge-mode": { post: { summary: "Charge now, or in the cheapest hours before a departure time ({mode, departAt: \"HH:MM\", energyKWh?})", responses: { "200": { description: "Saved" }, "400": { description: "Bad field (named in `path`)" } } } },
    "/api/v1/dashboard/fallback": { post: { summary: "What fallback does: charge-now or wait-off-peak", responses: { "200": { description: "Saved" } } } },
    "/api/v1/dashboard/dr/opt-out": { post: { summary: "Opt out of the demand-response event in force ({id})", responses: { "200": { description: "Opted out" }, "400": { description: "No such event" }, "409": { description: "The program does not allow opting out" } } } },
    "/api/v1/dashboard/zigbee/permit-join": { post: { summary: "Let Zigbee devices join for {seconds} (0 closes)", responses: { "200": { description: "Open or closed" }, "409": { description: "No Zigbee coordinator configured" } } } },
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
