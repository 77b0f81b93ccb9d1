// The route declarations (api-route.ts) and the document rendered from them (openapi-document.ts): what a
// declaration says is what the server enforces, a declaration that contradicts its path is refused at start, and the
// document carries each parameter, body, answer and error status.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Hono } from "hono";
import { z } from "zod";
import { ApiRoutes } from "./api-route.ts";
import { apiErrorHandler } from "./on-api-error.ts";
import { openApiDocument } from "./openapi-document.ts";

function server() {
  const app = new Hono();
  app.onError(apiErrorHandler({ service: "test", log: () => undefined }));
  const api = new ApiRoutes(app);
  api.on({
    method: "post", path: "/things/{id}", operationId: "putThing", summary: "A thing", tag: "t", auth: "operator",
    params: z.object({ id: z.string().regex(/^[A-Z]+$/) }), query: z.object({ n: z.coerce.number().int().min(1).default(1) }),
    body: z.object({ name: z.string().min(1) }), maxBodyBytes: 64, status: 201, response: z.object({ id: z.string(), n: z.number(), name: z.string() }),
    errors: { 409: "The thing exists" },
  }, (_c, { params, query, body }) => ({ id: params.id, n: query.n, name: body.name }));
  api.on({
    method: "get", path: "/things.csv", operationId: "thingsCsv", summary: "Things as CSV", tag: "t", auth: "none", response: z.string(), produces: "text/csv",
  }, () => "id\nA\n");
  return { app, api };
}

const call = (app: Hono, path: string, body: string) => app.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });

test("a declared route validates its path, query and body before the handler, with the field at fault named", async () => {
  const { app } = server();
  const ok = await call(app, "/things/ABC?n=3", JSON.stringify({ name: "x" }));
  assert.is(ok.status, 201);
  assert.equal(await ok.json(), { id: "ABC", n: 3, name: "x" });
  const badParam = await call(app, "/things/abc", JSON.stringify({ name: "x" }));
  assert.is(badParam.status, 400);
  assert.is(((await badParam.json()) as { error: { path: string } }).error.path, "path.id");
  const badQuery = await call(app, "/things/ABC?n=0", JSON.stringify({ name: "x" }));
  assert.is(((await badQuery.json()) as { error: { path: string } }).error.path, "query.n");
  const badBody = await call(app, "/things/ABC", JSON.stringify({ name: "" }));
  assert.is(((await badBody.json()) as { error: { path: string } }).error.path, "name");
  assert.is((await call(app, "/things/ABC", JSON.stringify({ name: "x".repeat(100) }))).status, 413, "the declared body limit holds");
  const csv = await app.request("/things.csv");
  assert.is(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.is(await csv.text(), "id\nA\n");
});

test("a declaration whose parameters differ from its path, or a second operationId, is refused when mounted", () => {
  const api = new ApiRoutes(new Hono());
  assert.throws(() => api.on({ method: "get", path: "/a/{id}", operationId: "a", summary: "a", tag: "t", auth: "none", response: z.string() }, () => "x"), /declares \[\]/);
  api.on({ method: "get", path: "/b", operationId: "b", summary: "b", tag: "t", auth: "none", response: z.string() }, () => "x");
  assert.throws(() => api.on({ method: "get", path: "/c", operationId: "b", summary: "c", tag: "t", auth: "none", response: z.string() }, () => "x"), /declared twice/);
});

test("the document carries parameters (path required, query optional with default), body, answer, every error status and the security scheme", () => {
  const { api } = server();
  const doc = openApiDocument({ title: "t", version: "1", description: "d", servers: [{ url: "http://127.0.0.1:1", description: "s" }], routes: api.routes, tags: [{ name: "t", description: "t" }] }) as {
    paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string; required: boolean; schema: { default?: number } }[]; responses: Record<string, { content: Record<string, unknown> }>; security: unknown[] }>>;
    components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  };
  const op = doc.paths["/things/{id}"]!.post!;
  assert.is(op.operationId, "putThing");
  assert.equal(op.parameters.map((p) => [p.name, p.in, p.required]), [["id", "path", true], ["n", "query", false]]);
  assert.is(op.parameters[1]!.schema.default, 1);
  assert.equal(Object.keys(op.responses).sort(), ["201", "400", "401", "409", "413", "500"]);
  assert.equal(op.security, [{ operatorBearer: [] }]);
  assert.ok("operatorBearer" in doc.components.securitySchemes);
  assert.ok("ApiError" in doc.components.schemas);
  assert.ok("text/csv" in doc.paths["/things.csv"]!.get!.responses["200"]!.content);
});

test.run();
