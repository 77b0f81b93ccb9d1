// The dependency rule of docs/architecture.md, enforced: any forbidden import edge fails the suite, and the rule
// itself is checked against edges it must refuse.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { checkFile, checkTree, FOLDERS } from "./dependency-rule.ts";

test("the tree has no forbidden import", async () => {
  const violations = await checkTree();
  assert.equal(violations.map((v) => `${v.file}:${v.line} ${v.target}: ${v.reason}`), []);
});

test("docs/architecture.md's table of allowed imports is the rule this test enforces", () => {
  const doc = readFileSync("docs/architecture.md", "utf8").split("Two more rules come with it")[0]!;
  const rows = new Map<string, string[]>();
  for (const m of doc.matchAll(/^\| `([a-z/-]+)`(?:, `([a-z/-]+)`)? \| (.+) \|$/gm)) {
    const targets = m[3]!.includes("anything") ? ["*"] : [...m[3]!.matchAll(/`([a-z/-]+)`/g)].map((t) => t[1]!);
    for (const folder of [m[1]!, m[2]].filter((f): f is string => Boolean(f))) rows.set(folder, targets);
  }
  const rule = new Map(FOLDERS.map((f) => [f.folder, f.mayImport.length || !["bench", "scripts"].includes(f.folder) ? [...f.mayImport] : ["*"]]));
  assert.equal(Object.fromEntries(rows), Object.fromEntries(rule));
  assert.ok(doc.includes("`ui` | `core` (types only)"), "ui imports core for types only");
});

test("the head-end may not import the hub or its drivers", () => {
  const v = checkFile("cloud-sync/utility/x.ts", `import { Outbox } from "../../edge/sync/index.ts";\nimport "../../drivers/modbus/index.ts";`);
  assert.equal(v.map((x) => x.reason), ["cloud-sync/utility/ may not import edge/", "cloud-sync/utility/ may not import drivers/"]);
});

test("a folder is entered through an index.ts, not into its files", () => {
  const v = checkFile("edge/hub/x.ts", `import { vin } from "../../core/ids/vin.ts";`);
  assert.equal(v.map((x) => x.reason), ["import core/ through an index.ts, not into its files"]);
  assert.equal(checkFile("edge/hub/x.ts", `import { parseVin } from "../../core/ids/index.ts";`), []);
});

test("core imports nothing of ours; the dashboard imports core for types only", () => {
  assert.equal(checkFile("core/x.ts", `import { a } from "../drivers/serial/index.ts";`).map((x) => x.reason), ["core/ may not import drivers/"]);
  assert.equal(checkFile("ui/src/x.ts", `import { a } from "../../core/index.ts";`).map((x) => x.reason), ["ui/ may import core/ for types only"]);
  assert.equal(checkFile("ui/src/x.ts", `import type { a } from "../../core/index.ts";`), []);
});

test("products never import test doubles; tests may", () => {
  assert.equal(checkFile("edge/hub/x.ts", `import { FakeUtility } from "../sync/testing/fake-utility.ts";`).map((x) => x.reason), ["only tests may import test doubles and fixtures"]);
  assert.equal(checkFile("system/x.test.ts", `import { testUtility } from "../cloud-sync/utility/test-support.ts";`), []);
});

test("dynamic imports are held to the same rule", () => {
  assert.equal(checkFile("cloud-sync/clearinghouse/x.ts", `const m = await import("../../edge/index.ts");`).map((x) => x.reason), ["cloud-sync/clearinghouse/ may not import edge/"]);
});

test.run();
