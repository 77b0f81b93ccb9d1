// The one dependency rule of the tree (docs/architecture.md draws it): which folder may import which, and that a
// folder is entered only through an index.ts. `npx bun scripts/dependency-rule.ts` prints every forbidden edge;
// scripts/dependency-rule.test.ts fails on any, so the picture in the docs cannot rot.
import { Glob } from "bun";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** A deployable (or shared) folder and the folders it may import. Order matters: the longest prefix wins. */
export const FOLDERS: { folder: string; mayImport: readonly string[]; typesOnly?: boolean }[] = [
  { folder: "core", mayImport: [] },
  { folder: "drivers", mayImport: ["core"] },
  { folder: "cloud-sync/protocol", mayImport: ["core"] },
  { folder: "cloud-sync/utility", mayImport: ["core", "cloud-sync/protocol"] },
  { folder: "cloud-sync/clearinghouse", mayImport: ["core", "cloud-sync/protocol"] },
  { folder: "edge", mayImport: ["core", "drivers", "cloud-sync/protocol"] },
  // The dashboard runs in a browser: it shares the hub's wire types through core and talks to the hub over HTTP.
  { folder: "ui", mayImport: ["core"], typesOnly: true },
  // What wires the programs together: the offpeak CLI, the demo, the story test.
  { folder: "system", mayImport: ["core", "drivers", "cloud-sync/protocol", "cloud-sync/utility", "cloud-sync/clearinghouse", "edge", "ui"] },
  // Tooling (see TOOLING): benchmarks and scripts measure and build everything, any file.
  { folder: "bench", mayImport: [] },
  { folder: "scripts", mayImport: [] },
];

/** Test doubles and fixtures: tests may reach them directly in any folder they may import; products never do. */
const isTestSupport = (path: string) => /\.test-support\.ts$|(^|\/)test-support\.ts$|\/testing\//.test(path);
const isTest = (path: string) => /\.test\.ts$/.test(path) || isTestSupport(path);
/** Benchmarks and scripts measure and build the tree from outside: they may import any file. */
const TOOLING = new Set(["bench", "scripts"]);

export interface Violation { file: string; line: number; target: string; reason: string }

function folderOf(path: string): string | undefined {
  return FOLDERS.map((f) => f.folder)
    .filter((f) => path === f || path.startsWith(`${f}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/**
 * A folder's public surface is its `index.ts`, or the `index.ts` of one of its sub-folders (`core/tariff/index.ts`,
 * `drivers/zigbee/index.ts`): one barrel per folder would make every hub load zigbee-herdsman and modbus-serial at
 * start, whatever its config uses.
 */
function isPublicSurface(target: string, folder: string): boolean {
  if (!target.endsWith("/index.ts")) return false;
  const inner = target.slice(folder.length + 1).split("/");
  return inner.length <= 2;
}

const IMPORT = /(?:^|\s)(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Every forbidden import edge in `file` (a path relative to the repository root). */
export function checkFile(file: string, source: string): Violation[] {
  const from = folderOf(file);
  if (!from || TOOLING.has(from)) return [];
  const rule = FOLDERS.find((f) => f.folder === from)!;
  const out: Violation[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4]!;
    const typeOnly = Boolean(m[2]);
    const target = normalize(join(dirname(file), spec));
    const to = folderOf(target);
    const line = source.slice(0, m.index).split("\n").length;
    if (!to) {
      out.push({ file, line, target, reason: "imports outside the known folders" });
      continue;
    }
    if (isTestSupport(target) && !isTest(file)) {
      out.push({ file, line, target, reason: "only tests may import test doubles and fixtures" });
      continue;
    }
    if (to === from) continue;
    if (!rule.mayImport.includes(to)) out.push({ file, line, target, reason: `${from}/ may not import ${to}/` });
    else if (!isPublicSurface(target, to) && !(isTest(file) && isTestSupport(target))) out.push({ file, line, target, reason: `import ${to}/ through an index.ts, not into its files` });
    else if (rule.typesOnly && !typeOnly) out.push({ file, line, target, reason: `${from}/ may import ${to}/ for types only` });
  }
  return out;
}

export async function checkTree(root = process.cwd()): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const { folder } of FOLDERS) {
    for await (const f of new Glob(`${folder}/**/*.ts`).scan({ cwd: root })) {
      if (f.includes("node_modules") || f.includes("/dist/")) continue;
      out.push(...checkFile(f, readFileSync(join(root, f), "utf8")));
    }
  }
  return out;
}

if (import.meta.main) {
  const violations = await checkTree();
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.target}: ${v.reason}`);
  console.log(`${violations.length} forbidden import(s)`);
  process.exit(violations.length ? 1 : 0);
}
