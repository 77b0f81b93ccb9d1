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

interface FileResult { file: string; passed: number; failed: number; skipped: number; output: string; ms: number }

const TIMEOUT_MS = Number(process.env.OFFPEAK_TEST_TIMEOUT_MS ?? 300_000);

async function runFile(file: string): Promise<FileResult> {
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, file], {
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", OFFPEAK_TEST: "1" },
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
    while (next < files.length) {
      const file = files[next++]!;
      const r = await runFile(file);
      results.push(r);
      const mark = r.failed ? "FAIL" : "ok  ";
      console.log(`${mark} ${file}  (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${(r.ms / 1000).toFixed(1)} s)`);
      if (r.failed || process.env.VERBOSE) console.log(r.output.replace(/^/gm, "    | "));
    }
  }),
);

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
console.log(`\n${files.length} test files`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed || files.length === 0 ? 1 : 0);
