// The hub's OpenAPI 3.1 document, kept by hand (the dashboard's routes are plain Hono routes): every operation has an
// operationId, its path and query parameters, its security (the owner's login cookie, CSRF header on POSTs) and
// every error status with the protocol's one ApiError body. A test lints it with Redocly at zero errors and checks
// every documented path answers.
type Json = Record<string, unknown>;

const ERROR = { $ref: "#/components/schemas/ApiError" };
const err = (description: string) => ({ description, content: { "application/json": { schema: ERROR } } });
const ok = (description: string, schema: Json = { type: "object" }, type = "application/json") => ({ description, content: { [type]: { schema } } });
const LOGIN = [{ ownerSession: [] }];
const LOGIN_POST = [{ ownerSession: [], csrfToken: [] }];
const limit = { name: "limit", in: "query", required: false, description: "Rows, 1–500 (default 50)", schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } };
const before = { name: "before", in: "query", required: false, description: "UTC seconds: sessions plugged in before this", schema: { type: "integer", minimum: 0 } };
const month = { name: "month", in: "query", required: false, description: "YYYY-MM in the utility's zone (default: this month)", schema: { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$" } };
const jsonBody = (properties: Json, required: string[] = []) => ({ required: true, content: { "application/json": { schema: { type: "object", properties, required } } } });

/** An operation behind the login (GET) or login + CSRF header (POST). */
function op(operationId: string, summary: string, o: { post?: boolean; parameters?: Json[]; body?: Json; success?: Json; errors?: Record<string, string>; public?: boolean } = {}): Json {
  return {
    operationId, summary, tags: [o.public ? "public" : "dashboard"],
    security: o.public ? [] : o.post ? LOGIN_POST : LOGIN,
    ...(o.parameters ? { parameters: o.parameters } : {}),
    ...(o.body ? { requestBody: o.body } : {}),
    responses: {
      "200": o.success ?? ok(summary),
      ...(o.parameters || o.body ? { "400": err("A parameter or the body is malformed (`error.path` names it)") } : {}),
      ...(o.public ? {} : { "401": err("Not logged in (no valid session cookie)") }),
      ...(o.post && !o.public ? { "403": err("Missing or wrong x-csrf-token header, or a guest view") } : {}),
      ...Object.fromEntries(Object.entries(o.errors ?? {}).map(([s, d]) => [s, err(d)])),
      "421": err("The Host header does not name this hub"),
      "500": err("A fault in the hub (logged)"),
    },
  };
}

export const hubOpenApi: Json = {
  openapi: "3.1.0",
  info: {
    title: "Offpeak hub API", version: "1.0.0", license: { name: "Proprietary", identifier: "LicenseRef-Offpeak" },
    description: "The home hub's local API: charge point status, charging sessions, events and intervals, and the owner's dashboard. Times are UTC seconds (NFR-1) with ISO-8601 copies in human-facing fields; money is integer cents.",
  },
  servers: [{ url: "http://127.0.0.1:8080", description: "The hub on its default port" }],
  tags: [{ name: "public", description: "No login" }, { name: "dashboard", description: "The owner's dashboard (login cookie; POSTs also need x-csrf-token)" }],
  security: [],
  paths: {
    "/healthz": { get: op("health", "Liveness", { public: true, success: ok("The hub is running", { type: "object", properties: { ok: { type: "boolean" }, uptimeS: { type: "integer" } }, required: ["ok", "uptimeS"] }) }) },
    "/openapi.json": { get: op("openApiDocument", "This document") },
    "/api/v1/status": { get: op("getStatus", "Charge point state, the current session with its binding state and reason, the comm-wait countdown", { success: ok("Status", { $ref: "#/components/schemas/Status" }) }) },
    "/api/v1/sessions": { get: op("listSessions", "Charging sessions, newest first", { parameters: [limit, before] }) },
    "/api/v1/sessions/{id}": {
      get: op("getSession", "One session with its events and intervals", {
        parameters: [{ name: "id", in: "path", required: true, description: "The hub's session ID", schema: { type: "string", minLength: 1 } }],
        errors: { "404": "No such session" },
      }),
    },
    "/api/v1/auth/state": { get: op("authState", "Whether setup is needed and whether this client is logged in", { public: true }) },
    "/api/v1/auth/setup": { post: op("authSetup", "First run: the one-time setup code and the owner's new password; logs in (body carries the CSRF token)", { public: true, post: true, body: jsonBody({ code: { type: "string" }, password: { type: "string" } }, ["code", "password"]), errors: { "401": "Wrong setup code", "409": "Already set up" } }) },
    "/api/v1/auth/login": { post: op("authLogin", "Log in with the owner's password (rate-limited)", { public: true, post: true, body: jsonBody({ password: { type: "string" } }, ["password"]), errors: { "401": "Wrong password", "429": "Too many attempts" } }) },
    "/api/v1/auth/logout": { post: op("authLogout", "End this session", { post: true }) },
    "/api/v1/auth/password": { post: op("authPassword", "Change the password (logs out every other session)", { post: true, body: jsonBody({ current: { type: "string" }, next: { type: "string" } }, ["current", "next"]) }) },
    "/api/v1/auth/guest-view": { post: op("authGuestView", "Turn the read-only guest view on or off (off by default)", { post: true, body: jsonBody({ enabled: { type: "boolean" } }, ["enabled"]) }) },
    "/api/v1/events": { get: op("liveEvents", "Server-Sent Events: `now` (status), `reading` (live power/energy), `ping`", { success: ok("An event stream", { type: "string" }, "text/event-stream") }) },
    "/api/v1/dashboard/now": { get: op("dashboardNow", "The Now page: status, binding, price now and next cheaper, cost so far, charge plan, demand response") },
    "/api/v1/dashboard/sessions": { get: op("dashboardSessions", "Sessions with outcome, rate, energy, cost and sync state", { parameters: [limit, before] }) },
    "/api/v1/sessions.csv": { get: op("sessionsCsv", "Sessions as CSV", { success: ok("CSV, one session a line", { type: "string" }, "text/csv") }) },
    "/api/v1/dashboard/usage": { get: op("dashboardUsage", "Daily energy by price period for a month, bills synced from the utility", { parameters: [month] }) },
    "/api/v1/dashboard/program": { get: op("dashboardProgram", "Program, enrolled vehicles, tariffs as day strips") },
    "/api/v1/dashboard/devices": { get: op("dashboardDevices", "Charger, EUMD, premises meter and Zigbee network health") },
    "/api/v1/dashboard/settings": { get: op("dashboardSettings", "Utility link, outbox, comm-wait window, interval length") },
    "/api/v1/dashboard/charge-mode": { post: op("setChargeMode", "Charge now, or in the cheapest hours before a departure time", { post: true, body: jsonBody({ mode: { enum: ["charge-now", "cheapest-hours"] }, departAt: { type: "string", pattern: "^\\d{2}:\\d{2}$" }, energyKWh: { type: "number" } }, ["mode"]) }) },
    "/api/v1/dashboard/fallback": { post: op("setFallback", "What fallback does: charge-now or wait-off-peak", { post: true, body: jsonBody({ preference: { enum: ["charge-now", "wait-off-peak"] } }, ["preference"]) }) },
    "/api/v1/dashboard/dr/opt-out": { post: op("optOutDrEvent", "Opt out of the demand-response event in force", { post: true, body: jsonBody({ id: { type: "string" } }, ["id"]), errors: { "409": "The program does not allow opting out" } }) },
    "/api/v1/dashboard/zigbee/permit-join": { post: op("zigbeePermitJoin", "Let Zigbee devices join for a number of seconds (0 closes)", { post: true, body: jsonBody({ seconds: { type: "integer", minimum: 0, maximum: 254 } }), errors: { "409": "No Zigbee coordinator configured" } }) },
    "/api/v1/dashboard/ocpp/accept": { post: op("acceptOcppChargePoint", "Accept a charge point that connected with an ID the hub did not know (listed by /api/v1/dashboard/devices)", { post: true, body: jsonBody({ id: { type: "string", minLength: 1, maxLength: 48 }, allowNoPassword: { type: "boolean" } }, ["id"]), errors: { "409": "No OCPP charger configured, or no such charge point waiting" } }) },
    "/api/v1/dashboard/vehicle-tags": {
      get: op("listVehicleTags", "The idTags (RFID cards, Autocharge VID:<MAC>) registered for vehicles' VINs", { errors: { "403": "The guest view does not list them" } }),
      post: op("registerVehicleTag", "Register the idTag a charger reports for a vehicle, for its VIN (the ID-only path when no secure PEV link opens)", { post: true, body: jsonBody({ tag: { type: "string", pattern: "^[\\x21-\\x7e]{1,20}$" }, vin: { type: "string", minLength: 17, maxLength: 17 } }, ["tag", "vin"]) }),
    },
    "/api/v1/dashboard/vehicle-tags/{tag}": {
      delete: op("removeVehicleTag", "Remove a vehicle's idTag", { post: true, parameters: [{ name: "tag", in: "path", required: true, description: "The idTag", schema: { type: "string", minLength: 1, maxLength: 20 } }], errors: { "404": "No such tag" } }),
    },
  },
  components: {
    securitySchemes: {
      ownerSession: { type: "apiKey", in: "cookie", name: "offpeak_session", description: "The login cookie set by /api/v1/auth/login or /api/v1/auth/setup (HttpOnly, SameSite=Strict)." },
      csrfToken: { type: "apiKey", in: "header", name: "x-csrf-token", description: "The CSRF token returned at login; required on every POST." },
    },
    schemas: {
      ApiError: {
        type: "object", required: ["error"], description: "The body of every non-2xx answer of every Offpeak server.",
        properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string", minLength: 1 }, message: { type: "string", minLength: 1 }, path: { type: "string" }, details: { type: "object", additionalProperties: {} } } } },
      },
      Status: {
        type: "object",
        properties: {
          now: { type: "integer" }, premisesId: { type: "string" },
          chargePoint: { type: "object", properties: { evseState: { enum: ["A", "B", "C", "D", "E", "F", "unknown"] }, eumd: { enum: ["present", "absent", "unknown"] } } },
          session: { $ref: "#/components/schemas/SessionNow" },
          chargePoints: {
            type: "array", description: "A hub with several charge points: every one ([devices.charger]'s first, id \"charger\"), each with its own engine's state and session",
            items: {
              type: "object", required: ["id", "evseState", "eumd", "session"],
              properties: { id: { type: "string" }, evseState: { enum: ["A", "B", "C", "D", "E", "F", "unknown"] }, eumd: { enum: ["present", "absent", "unknown"] }, session: { $ref: "#/components/schemas/SessionNow" } },
            },
          },
        },
      },
      SessionNow: { type: ["object", "null"], properties: { id: { type: "string" }, phase: { enum: ["awaiting-binding", "bound", "fallback", "ended"] }, established: { type: "boolean" }, fallbackReason: { type: ["string", "null"] }, fallbackReasonText: { type: ["string", "null"] }, commWaitLeftS: { type: ["integer", "null"] }, energyWh: { type: "integer" } } },
    },
  },
};
