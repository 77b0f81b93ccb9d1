// Runs every uvu suite (`*.test.ts` beside the code) in its own Bun process, two at a time,
// and ends with the line CI reads: `N passed, N failed`.
// A file is run alone so a crash, a leaked server or a SIGKILL test cannot take the others with it.
import { Glob } from "bun";
import { cpus } from "node:os";
import { TEST_ROOTS } from "./test-roots.ts";

const filter = process.argv.slice(2);
const roots = TEST_ROOTS;
const files: string[] = [];
for (const root of roots) {
  for await (const f of new Glob(`${root}/**/*.test.ts`).scan({ cwd: process.cwd() })) {
    if (f.includes("node_modules")) continue;
    if (filter.length && !filter.some((x) => f.includes(x))) continue;
    files.push(f);
  }
}
files.sort();

// The head-end suites run twice: on SQLite (as is) and on PostgreSQL (OFFPEAK_TEST_DB=postgres, a schema per test).
// Without a PostgreSQL server the second run is skipped with one line; under CI=true that is a failure instead.
const BOTH_ENGINES = (f: string) => f.startsWith("cloud-sync/utility/") || f === "system/story/story.test.ts";
interface Run { file: string; engine: "sqlite" | "postgres" }
const runs: Run[] = files.map((file) => ({ file, engine: "sqlite" as const }));
let postgresMissing = false;
if (files.some(BOTH_ENGINES)) {
  const { TEST_PG_URL } = await import("../core/storage/testing/index.ts");
  const sql = new Bun.SQL(TEST_PG_URL, { max: 1, connectionTimeout: 3 });
  const answer = await sql.unsafe("SELECT 1").then(() => null, (e: Error) => e.message);
  await sql.close().catch(() => undefined);
  if (answer === null) {
    runs.push(...files.filter(BOTH_ENGINES).map((file) => ({ file, engine: "postgres" as const })));
  } else if (process.env.CI === "true") {
    postgresMissing = true;
    console.log(`FAIL PostgreSQL head-end suite: no server at ${TEST_PG_URL.replace(/:[^:@/]*@/, ":***@")} (${answer}); CI requires it`);
  } else {
    console.log(`skip PostgreSQL head-end suite: no server at ${TEST_PG_URL.replace(/:[^:@/]*@/, ":***@")} (${answer}); SQLite only`);
  }
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; output: string; ms: number }

const TIMEOUT_MS = Number(process.env.OFFPEAK_TEST_TIMEOUT_MS ?? 300_000);

async function runFile(file: string, engine: Run["engine"]): Promise<FileResult> {
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, file], {
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", OFFPEAK_TEST: "1", OFFPEAK_TEST_DB: engine },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), TIMEOUT_MS);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(timer);
  const output = out + err;
  const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const ms = performance.now() - t0;
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    // The suite died before uvu could report: count the whole file as one failure.
    return { file, passed: 0, failed: 1, skipped: 0, output: output + `\n(exit ${code}, no uvu summary)`, ms };
  }
  const failed = total - passed - skipped + (code !== 0 && total === passed + skipped ? 1 : 0);
  return { file, passed, failed, skipped, output, ms };
}

const parallel = Math.max(1, Math.min(Number(process.env.OFFPEAK_TEST_JOBS ?? 2), cpus().length));
const results: FileResult[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: parallel }, async () => {
    while (next < runs.length) {
      const { file, engine } = runs[next++]!;
      const r = await runFile(file, engine);
      results.push(r);
      const mark = r.failed ? "FAIL" : "ok  ";
      console.log(`${mark} ${file}${engine === "postgres" ? " [postgres]" : ""}  (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${(r.ms / 1000).toFixed(1)} s)`);
      if (r.failed || process.env.VERBOSE) console.log(r.output.replace(/^/gm, "    | "));
    }
  }),
);

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0) + (postgresMissing ? 1 : 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
console.log(`\n${files.length} test files (${runs.length - files.length} of them also on PostgreSQL)`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed || files.length === 0 ? 1 : 0);
