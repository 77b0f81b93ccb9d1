import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { REQUIREMENTS, renderDocument, testsById } from "./requirements-map.ts";

test("every requirement ID of the use case has at least one test that names it", async () => {
  const byId = await testsById();
  const missing = REQUIREMENTS.filter((r) => byId.get(r.id)!.length === 0).map((r) => r.id);
  assert.equal(missing, [], `requirements without a test: ${missing.join(", ")}`);
});

test("every code path named in the traceability map exists", () => {
  const gone = REQUIREMENTS.flatMap((r) => r.code.filter((c) => !existsSync(c)).map((c) => `${r.id}: ${c}`));
  assert.equal(gone, []);
});

test("docs/requirements.md is up to date (npx bun scripts/requirements-map.ts --write)", async () => {
  assert.is(readFileSync("docs/requirements.md", "utf8"), await renderDocument());
});

test("the map lists exactly the IDs of shared/requirements.md, where that file is present", () => {
  const path = "../shared/requirements.md";
  if (!existsSync(path)) return;
  const ids = [...new Set(readFileSync(path, "utf8").match(/\| ((?:BR|FR|NFR)-\d+) \|/g)!.map((m) => m.slice(2, -2)))];
  assert.equal(REQUIREMENTS.map((r) => r.id).sort(), ids.sort());
});

test.run();
