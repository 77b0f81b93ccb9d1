// The story test's wall time at its simulated-time acceleration (issue 8 benchmark): runs system/story/story.test.ts
// as its own process and prints `story.wall_s` and `story.speed` (the SPEED constant the story runs at).
import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url).pathname;
const speed = Number(/const SPEED = (\d+)/.exec(readFileSync(`${root}system/story/story.test.ts`, "utf8"))?.[1] ?? NaN);
const t0 = performance.now();
const proc = Bun.spawn([process.execPath, "system/story/story.test.ts"], { cwd: root, stdout: "pipe", stderr: "pipe" });
const timer = setTimeout(() => proc.kill("SIGKILL"), 180_000);
const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
clearTimeout(timer);
const wallS = (performance.now() - t0) / 1000;
if (code !== 0) {
  console.error(`story failed (exit ${code}):\n${out.slice(-3000)}\n${err.slice(-2000)}`);
  process.exit(1);
}
console.log(`story.wall_s: ${wallS.toFixed(1)} s`);
console.log(`story.speed: ${speed} x`);
