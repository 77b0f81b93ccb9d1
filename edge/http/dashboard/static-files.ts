// Serves the built dashboard (ui/dist): hashed assets as immutable for a year, index.html as no-cache so a new
// build is picked up at once. If ui/dist is missing (a clean clone) or stale, the hub builds it first by running
// `bun ui/build.ts` in a child process (edge/ does not import ui/). Files are read once and kept gzipped in memory.
import { ApiError } from "../../../cloud-sync/protocol/index.ts";
import type { Hono } from "hono";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { embeddedUi } from "./embedded-ui.ts";

export const DEFAULT_UI_DIST = resolve(new URL("../../../ui/dist", import.meta.url).pathname);
const UI_BUILD_SCRIPT = resolve(new URL("../../../ui/build.ts", import.meta.url).pathname);
const UI_SOURCES = resolve(new URL("../../../ui/src", import.meta.url).pathname);

/** Newest modification time under ui/src (0 when the sources are not shipped, e.g. a packaged build). */
function newestSourceMs(dir: string = UI_SOURCES): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSourceMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

interface Asset { body: Uint8Array; gz: Uint8Array; type: string }

const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", html: "text/html; charset=utf-8", svg: "image/svg+xml", json: "application/json" };

/** Builds the dashboard into distDir when its index.html is missing or older than the sources in ui/src. */
export async function ensureUiBuilt(distDir: string = DEFAULT_UI_DIST, log: (l: string) => void = () => {}): Promise<void> {
  const index = join(distDir, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSourceMs()) return;
  log(`dashboard: ${distDir} is missing or older than ui/src; building the dashboard (bun ui/build.ts)`);
  const p = Bun.spawn([process.execPath, UI_BUILD_SCRIPT, distDir], { stdout: "pipe", stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`dashboard: building ui/dist failed (exit ${code}): ${err.trim().slice(-2000)}`);
}

function load(distDir: string): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const add = (urlPath: string, file: string) => {
    const body = new Uint8Array(readFileSync(file));
    files.set(urlPath, { body, gz: Bun.gzipSync(body, { level: 9 }), type: TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream" });
  };
  add("/", join(distDir, "index.html"));
  const assets = join(distDir, "assets");
  if (existsSync(assets)) for (const f of readdirSync(assets)) add(`/assets/${f}`, join(assets, f));
  return files;
}

/** The dashboard embedded in a compiled executable (scripts/build-pi.ts). */
async function loadEmbedded(files: Record<string, string>): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const [urlPath, file] of Object.entries(files)) {
    if (urlPath === "/manifest.json") continue;
    const body = new Uint8Array(await Bun.file(file).arrayBuffer());
    out.set(urlPath === "/index.html" ? "/" : urlPath, { body, gz: Bun.gzipSync(body, { level: 9 }), type: TYPES[urlPath.split(".").pop() ?? ""] ?? "application/octet-stream" });
  }
  return out;
}

export function mountStaticFiles(app: Hono, distDir: string = DEFAULT_UI_DIST, log: (l: string) => void = () => {}): void {
  let ready: Promise<Map<string, Asset>> | null = null;
  const embedded = embeddedUi();
  const files = () => (ready ??= (embedded ? loadEmbedded(embedded) : ensureUiBuilt(distDir, log).then(() => load(distDir))).catch((e) => { ready = null; throw e; }));
  // From a checkout, check (and if need be build) ui/dist at start so the first page is not a build's wait. The
  // executable's embedded files are read and gzipped at the first request instead: a hub nobody looks at never holds them.
  if (!embedded) void files().catch((e) => log((e as Error).message));
  app.get("*", async (c) => {
    const path = c.req.path === "/index.html" ? "/" : c.req.path;
    if (path.startsWith("/api/")) throw new ApiError("not-found", `no route GET ${path}`);
    let all: Map<string, Asset>;
    try { all = await files(); } catch (e) { return c.text(`the dashboard is not available: ${(e as Error).message}`, 503); }
    let a = all.get(path);
    // A new build may have added assets since the files were loaded.
    if (!a && path.startsWith("/assets/")) { ready = null; a = (await files()).get(path); }
    if (!a) {
      if (path.startsWith("/assets/")) return c.text(`no asset ${path}`, 404);
      a = all.get("/")!; // hash routes (#/sessions) all load the one page
    }
    c.header("Content-Type", a.type);
    c.header("Cache-Control", path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    c.header("Vary", "Accept-Encoding");
    if ((c.req.header("accept-encoding") ?? "").includes("gzip")) {
      c.header("Content-Encoding", "gzip");
      return c.body(a.gz as Uint8Array<ArrayBuffer>);
    }
    return c.body(a.body as Uint8Array<ArrayBuffer>);
  });
}
