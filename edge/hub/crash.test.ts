import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { T0 } from "../engine/harness.test-support.ts";

const SPEED = 600; // one simulated minute (one interval) every 100 ms
const child = join(import.meta.dir, "crash-child.test-support.ts");

function count(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true });
  try { return (db.query("SELECT COUNT(*) AS n FROM eumd_intervals").get() as { n: number }).n; } catch { return 0; } finally { db.close(); }
}
async function until(what: string, f: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!f()) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await Bun.sleep(20); }
}

test("a hub killed with SIGKILL mid-session resumes it after restart with every interval present once and no energy lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-crash-"));
  const db = join(dir, "hub.sqlite");
  const args = [process.execPath, child, dir, String(Date.now()), String(T0 * 1000), String(SPEED)];
  const first = Bun.spawn(args, { stdout: "ignore", stderr: "inherit" });
  await until("intervals before the kill", () => count(db) >= 5);
  first.kill("SIGKILL");
  await first.exited;
  const before = count(db);
  await Bun.sleep(400); // four simulated minutes with no hub at all
  const second = Bun.spawn(args, { stdout: "ignore", stderr: "inherit" });
  await until("intervals after the restart", () => count(db) >= before + 5);
  writeFileSync(join(dir, "unplug"), "1");
  await until("the session to end", () => existsSync(join(dir, "done")));
  await second.exited;

  const store = new Database(db, { readonly: true });
  const sessions = store.query("SELECT id, seq, phase, total_wh FROM sessions").all() as { id: string; seq: number; phase: string; total_wh: number }[];
  assert.is(sessions.length, 1, "the same session continued after the restart");
  assert.is(sessions[0]!.phase, "ended");
  const rows = store.query("SELECT start, length_s, wh, quality FROM eumd_intervals ORDER BY start").all() as { start: number; length_s: number; wh: number; quality: number }[];
  for (let i = 1; i < rows.length; i++) assert.is(rows[i]!.start, rows[i - 1]!.start + 60, `intervals contiguous, no gap or repeat at ${i}`);
  const snapshot = JSON.parse((store.query("SELECT state FROM engine_snapshot").get() as { state: string }).state) as { eumdLast: { wh: number } };
  const baseline = Number(readFileSync(join(dir, "baseline"), "utf8"));
  const sum = rows.reduce((a, r) => a + r.wh, 0);
  assert.is(sum, snapshot.eumdLast.wh - baseline, "every Wh the register advanced is in exactly one interval");
  assert.is(sum, sessions[0]!.total_wh);
  assert.ok(rows.some((r) => r.quality === 2), "intervals spanning the outage are marked estimated");
  const resumed = store.query("SELECT COUNT(*) AS n FROM session_events WHERE kind = 'on-plug'").get() as { n: number };
  assert.is(resumed.n, 1, "no second On-Plug after the restart");
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
