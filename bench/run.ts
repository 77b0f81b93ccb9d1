// `npm run bench`: runs every bench/*.bench.ts in its own Bun process and prints their figures,
// one line per figure, `name: value unit`. A bench that fails prints `name: failed` and the run exits non-zero.
import { Glob } from "bun";

const only = process.argv.slice(2);
const files: string[] = [];
for await (const f of new Glob("bench/**/*.bench.ts").scan({ cwd: process.cwd() })) {
  if (only.length && !only.some((x) => f.includes(x))) continue;
  files.push(f);
}
files.sort();
let failures = 0;
for (const file of files) {
  const proc = Bun.spawn([process.execPath, file], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  for (const line of out.split("\n")) if (/^[\w.-]+: /.test(line)) console.log(line);
  if (code !== 0) {
    failures++;
    console.log(`${file.replace(/^bench\/|\.bench\.ts$/g, "")}: failed`);
    console.error(err.trim().split("\n").slice(-15).join("\n"));
  }
}
process.exit(failures ? 1 : 0);
