// The crash torture's figures (issue 12): runs system/torture/crash-torture.test.ts as its own process and prints what
// it measured — `torture.kills`, `torture.sessions`, `torture.wh_lost`, `torture.wh_doubled`,
// `torture.enabled_while_held_s` (and the seed, to replay a run's choices with OFFPEAK_TORTURE_SEED).
const root = new URL("../", import.meta.url).pathname;
const t0 = performance.now();
const proc = Bun.spawn([process.execPath, "system/torture/crash-torture.test.ts"], { cwd: root, stdout: "pipe", stderr: "pipe" });
const timer = setTimeout(() => proc.kill("SIGKILL"), 600_000);
const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
clearTimeout(timer);
const figures = out.split("\n").filter((l) => /^torture\.[\w]+: /.test(l));
for (const l of figures) console.log(l);
console.log(`torture.wall_s: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (code !== 0) {
  console.error(`torture failed (exit ${code}):\n${out.slice(-4000)}\n${err.slice(-2000)}`);
  process.exit(1);
}
