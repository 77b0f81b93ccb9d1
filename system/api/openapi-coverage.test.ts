// Issue 14: the document and the server agree both ways. Every route Hono serves on the head-end and the
// clearinghouse is an operation of its /openapi.json (nothing undocumented), and every operation that declares a
// security scheme refuses a caller without credentials with 401 and the ApiError body (tried from the attacker's side,
// for every documented operation).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { startUtility } from "../../cloud-sync/utility/index.ts";
import { TestClock } from "../../core/time/index.ts";

type Operation = { operationId: string; security: Record<string, string[]>[]; responses: Record<string, unknown> };
type Doc = { paths: Record<string, Record<string, Operation>> };

const quiet = { level: "error" as const, debug() {}, info() {}, warn() {}, error() {} };

async function check(name: string, url: string, doc: Doc, mounted: { method: string; path: string }[]): Promise<void> {
  assert.ok(mounted.length >= 8, `${name}: ${mounted.length} routes mounted`);
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
  for (const r of mounted) assert.ok(documented.has(`${r.method} ${r.path}`), `${name}: ${r.method} ${r.path} is served but not documented`);
  assert.is(documented.size, new Set(mounted.map((r) => `${r.method} ${r.path}`)).size, `${name}: every documented operation is served`);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.security.length === 0) continue;
      const concrete = path.replace(/\{vin\}/g, "1HGCM82633A004352").replace(/\{month\}/g, "2024-06").replace(/\{[A-Za-z]+\}/g, "X-1");
      const res = await fetch(`${url}${concrete}`, { method: method.toUpperCase(), ...(method === "get" || method === "delete" ? {} : { body: "{}" }) });
      assert.is(res.status, 401, `${name}: ${method} ${path} without credentials answered ${res.status}`);
      assert.ok("401" in op.responses, `${name}: ${op.operationId} documents its 401`);
      const body = (await res.json()) as { error?: { code?: string } };
      assert.type(body.error?.code, "string");
    }
  }
}

test("issue 14: head-end and clearinghouse serve exactly the documented operations; every protected one refuses a caller without credentials (401)", async () => {
  const clock = new TestClock();
  const u = await startUtility({ port: 0, dbPath: ":memory:", utilityId: "UTIL-COV", operatorToken: "operator-token-cov", clearinghouseToken: "clearinghouse-token-cov", clock, log: quiet });
  const ch = await startClearinghouse({ port: 0, dbPath: ":memory:", operatorToken: "clearinghouse-op", clock, retryMs: 3_600_000 });
  try {
    await check("head-end", u.url, (await (await fetch(`${u.url}/openapi.json`)).json()) as Doc, u.mountedRoutes());
    await check("clearinghouse", ch.url, (await (await fetch(`${ch.url}/openapi.json`)).json()) as Doc, ch.mountedRoutes());
  } finally {
    await u.close();
    await ch.close();
  }
});

test.run();
