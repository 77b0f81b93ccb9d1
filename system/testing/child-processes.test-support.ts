// Real child processes for tests and benchmarks: spawn a command (`offpeak <command>` or any executable), wait for a
// line it prints ("listening on …"), read everything it wrote, stop it; plus small HTTP and waiting helpers.
// Test and benchmark glue only.
import { createServer } from "node:net";
import type { Subprocess } from "bun";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface ChildProcess {
  name: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process wrote so far (stdout and stderr), for failure messages and log checks. */
  output(): string;
  /** Resolves with the first match of `re` in the output (already written or still to come). */
  waitFor(re: RegExp, realMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** A free loopback port: bind port 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

// Children still running when this process exits (a failed hook, an exit before test.after finished) are killed,
// so a story run never leaves servers behind.
const live = new Set<Subprocess>();
process.once("exit", () => { for (const p of live) p.kill("SIGKILL"); });

/** Spawns `offpeak <args>` under this Bun from the project root with `env` added to this process's environment. */
export function spawnOffpeak(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawnChild(name, [process.execPath, "system/cli/offpeak.ts", ...args], env);
}

/** Spawns `cmd` (from the project root unless `cwd` is given) with `env` added to this process's environment. */
export function spawnChild(name: string, cmd: string[], env: Record<string, string> = {}, cwd: string = ROOT): ChildProcess {
  const proc = Bun.spawn(cmd, {
    cwd, env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  let text = "";
  const listeners = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += dec.decode(value, { stream: true });
      for (const l of listeners) l();
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  let exited = false;
  live.add(proc);
  void proc.exited.then(() => { exited = true; live.delete(proc); for (const l of listeners) l(); });
  return {
    name, proc,
    output: () => text,
    waitFor(re, realMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(text);
          if (m) { done(); resolve(m); return; }
          if (exited) { done(); reject(new Error(`${name} exited (code ${proc.exitCode}) before printing ${re}:\n${text}`)); }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`${name} did not print ${re} within ${realMs} ms:\n${text}`)); }, realMs);
        const done = () => { clearTimeout(timer); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (exited) return;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

export interface JsonAnswer<T = Record<string, unknown>> { status: number; body: T; headers: Headers }

/** fetch with a JSON body and a JSON answer; never throws on HTTP status (the caller asserts). */
export async function json<T = Record<string, unknown>>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonAnswer<T>> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: unknown;
  try { body = text ? JSON.parse(text) : {}; } catch { body = { nonJson: text }; }
  return { status: res.status, body: body as T, headers: res.headers };
}

/**
 * Polls `probe` until it returns a value other than undefined, within a real-time deadline; the failure names what
 * was awaited and the last thing seen.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, realMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + realMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${realMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await Bun.sleep(everyMs);
  }
}
