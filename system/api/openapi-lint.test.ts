// Issue 14: the three OpenAPI documents (head-end, clearinghouse, hub) pass a real linter, Redocly CLI with its
// recommended ruleset, at zero errors; each is fetched from the running server's /openapi.json.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { startUtility } from "../../cloud-sync/utility/index.ts";
import { hubOpenApi } from "../../edge/http/index.ts";
import { TestClock } from "../../core/time/index.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-lint-"));

/** Runs `redocly lint` on a document; returns its exit code and report. */
function lint(name: string, doc: unknown): { code: number; out: string } {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  // Redocly CLI runs under Bun as under Node (no Node needed on the machine).
  const p = Bun.spawnSync([process.execPath, "node_modules/@redocly/cli/bin/cli.js", "lint", file, "--format", "stylish"], { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
  return { code: p.exitCode, out: `${p.stdout.toString()}${p.stderr.toString()}` };
}

test("issue 14: the head-end's, the clearinghouse's and the hub's /openapi.json lint with Redocly at zero errors", async () => {
  const clock = new TestClock();
  const u = await startUtility({ port: 0, dbPath: ":memory:", utilityId: "UTIL-LINT", operatorToken: "operator-token-lint", clock, log: { level: "error", debug() {}, info() {}, warn() {}, error() {} } });
  const ch = await startClearinghouse({ port: 0, dbPath: ":memory:", operatorToken: "clearinghouse-op", clock, retryMs: 3_600_000 });
  try {
    const docs = {
      "head-end": await (await fetch(`${u.url}/openapi.json`)).json(),
      clearinghouse: await (await fetch(`${ch.url}/openapi.json`)).json(),
      hub: hubOpenApi,
    };
    for (const [name, doc] of Object.entries(docs)) {
      const r = lint(name, doc);
      assert.is(r.code, 0, `${name}: redocly lint failed:\n${r.out}`);
      assert.match(r.out, /Your API description is valid/, `${name}: ${r.out}`);
    }
  } finally {
    await u.close();
    await ch.close();
  }
});

test("the linter is a real judge: a templated path without its declared parameter fails", () => {
  const bad = { openapi: "3.1.0", info: { title: "x", version: "1" }, paths: { "/a/{id}": { get: { responses: { "200": { description: "x" } } } } } };
  const r = lint("bad", bad);
  assert.is.not(r.code, 0);
  assert.match(r.out, /path-parameters-defined/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
