import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import { TestClock, type UtcSeconds } from "../../core/time/index.ts";
import { generateEd25519KeyPair, type SessionReport } from "../../cloud-sync/protocol/index.ts";
import { Driver, params, settings, T0, VIN } from "../engine/harness.test-support.ts";
import { HubStore } from "../store/hub-store.ts";
import { UtilityLink } from "./utility-link.ts";

const child = join(import.meta.dir, "outbox-transaction-child.test-support.ts");

function link(store: HubStore, log: (l: string) => void = () => {}) {
  return new UtilityLink({
    baseUrl: "http://127.0.0.1:9", hubId: "HUB-1" as HubId, premisesId: "PREM-1" as PremisesId, utilityId: "UTIL-A" as UtilityId,
    hubKey: generateEd25519KeyPair().privateKey, utilityKeys: new Map(), store, clock: new TestClock(T0 * 1000), log, eumdId: "eumd-1",
  });
}

test("FR-29: the final session report is written in the same transaction as the step that ended the session — a SIGKILL right after the commit loses nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-outbox-tx-"));
  const proc = Bun.spawn([process.execPath, child, dir], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  assert.is(proc.signalCode, "SIGKILL", `the child killed itself after the commit (${out}${err})`);
  const db = new Database(join(dir, "hub.sqlite"), { readonly: true });
  const s = db.query("SELECT id, phase, revision, total_wh FROM sessions").get() as { id: string; phase: string; revision: number; total_wh: number };
  assert.is(s.phase, "ended");
  const rows = db.query("SELECT revision, body FROM outbox_messages WHERE session_id = ? ORDER BY revision").all(s.id) as { revision: number; body: Uint8Array }[];
  const last = rows.at(-1)!;
  assert.is(last.revision, s.revision, "the session's latest revision is in the outbox");
  const report = JSON.parse(gunzipSync(last.body).toString("utf8")) as SessionReport;
  assert.is(report.final, true, "and it is the final report");
  assert.is(report.totalWh, s.total_wh, "with every interval");
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test("FR-29: start-up reconciliation re-queues a session whose latest revision is neither queued nor delivered, and says so", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-outbox-rec-"));
  const store = new HubStore(join(dir, "hub.sqlite"));
  // A session committed by a store without the transactional outbox (or restored from a backup): no report queued.
  const d = new Driver(settings({ intervalS: 60 }));
  const commit = (e: Parameters<Driver["send"]>[0]) => { const before = d.state; const out = d.send(e); if (out.length) store.commitStep(before, d.state, out, d.now as UtcSeconds); };
  commit({ type: "eumd.status", present: true, reason: "test" });
  commit({ type: "eumd.reading", energyWh: 500, powerW: 0, at: T0 as UtcSeconds });
  commit({ type: "evse.state", state: "B" });
  commit({ type: "pev.hello", vin: VIN });
  commit({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params({ intervalS: 60 }) });
  d.after(130);
  commit({ type: "eumd.reading", energyWh: 760, powerW: 7200, at: d.now as UtcSeconds });
  commit({ type: "evse.state", state: "A" });
  const sid = d.state.lastEnded!.id;
  const lines: string[] = [];
  const l = link(store, (x) => lines.push(x));
  const first = l.reconcile();
  assert.equal(first.requeued, [`${sid} r${d.state.lastEnded!.revision}`]);
  assert.ok(lines.some((x) => /reconciliation: 1 session report\(s\) were neither queued nor delivered/.test(x)), lines.join("\n"));
  const queued = l.outbox.peekAll();
  assert.is(queued.length, 1);
  assert.is(queued[0]!.kind === "session-report" && queued[0]!.body.final, true);
  assert.equal(l.reconcile().requeued, [], "a second pass finds it queued");
  l.outbox.settle(l.outbox.claimDue(1)[0]!, { kind: "delivered" });
  assert.equal(l.reconcile().requeued, [], "and once delivered it is not sent again");
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("FR-19: a replayed step queues its acknowledgement and DR status once, even after the first copy was delivered", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-outbox-key-"));
  const store = new HubStore(join(dir, "hub.sqlite"));
  const l = link(store);
  const state = new Driver().state;
  const step = { before: state, state, commands: [{ type: "dr.status" as const, id: "DR-1", status: "started" as const }] };
  l.stage(step);
  l.stage(step);
  assert.is(l.outbox.peekAll().length, 1);
  l.outbox.settle(l.outbox.claimDue(1)[0]!, { kind: "delivered" });
  l.stage(step);
  assert.is(l.outbox.peekAll().length, 0, "delivered before: not queued again");
  l.stage({ ...step, commands: [{ type: "dr.status", id: "DR-1", status: "completed" }] });
  assert.is(l.outbox.peekAll().length, 1, "another status of the event is another message");
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
