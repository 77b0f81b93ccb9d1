// Builds the dashboard: Bun.build in production mode (minified, NODE_ENV=production) into ui/dist/ with
// content-hashed names, so the hub can serve assets as immutable and only index.html as no-cache.
// Run: `bun ui/build.ts [outdir]`. Concurrent builds (parallel test files) are safe: hashed files have the same
// content whoever writes them, and index.html / manifest.json are written to a temp name and renamed.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface UiManifest { script: string; style: string; builtAt: string }

const here = dirname(new URL(import.meta.url).pathname);

export async function buildUi(outdir = join(here, "dist")): Promise<UiManifest> {
  const assets = join(outdir, "assets");
  mkdirSync(assets, { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(here, "src/main.ts")],
    outdir: assets,
    naming: "[name]-[hash].[ext]",
    minify: true,
    target: "browser",
    format: "esm",
    sourcemap: "none",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) throw new Error(`ui build failed:\n${result.logs.map((l) => String(l)).join("\n")}`);
  const script = basename(result.outputs.find((o) => o.kind === "entry-point")!.path);
  const css = readFileSync(join(here, "src/page.css"));
  const style = `page-${new Bun.CryptoHasher("sha256").update(css).digest("hex").slice(0, 12)}.css`;
  writeFileSync(join(assets, style), css);
  const html = readFileSync(join(here, "src/index.html"), "utf8").replace("%SCRIPT%", `/assets/${script}`).replace("%STYLE%", `/assets/${style}`);
  const manifest: UiManifest = { script, style, builtAt: new Date().toISOString() };
  const tmp = `.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(join(outdir, `index.html${tmp}`), html);
  renameSync(join(outdir, `index.html${tmp}`), join(outdir, "index.html"));
  writeFileSync(join(outdir, `manifest.json${tmp}`), JSON.stringify(manifest, null, 2));
  renameSync(join(outdir, `manifest.json${tmp}`), join(outdir, "manifest.json"));
  return manifest;
}

if (import.meta.main) {
  const out = resolve(process.argv[2] ?? join(here, "dist"));
  const m = await buildUi(out);
  console.log(`ui: built ${m.script} and ${m.style} into ${out}`);
}
