// Several charge points in one store (issue 16 item 7): a store written before migration 3 resumes unchanged, each
// charge point's engine has its own snapshot, sessions name their charge point, and two engines that plug in at the
// same second still give their sessions IDs unique per premises.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UtcSeconds } from "../../core/time/index.ts";
import { Driver, settings, T0 } from "../engine/harness.test-support.ts";
import { nextSessionSeq } from "../engine/reducer.ts";
import { HubStore } from "./hub-store.ts";
import { migrate, MIGRATIONS } from "./migrations.ts";

test("nextSessionSeq: one engine numbers 1, 2, 3; with slots each engine takes only its own numbers, always above the last", () => {
  assert.equal([0, 1, 2].map((n) => nextSessionSeq(n, undefined)), [1, 2, 3]);
  const slot = (index: number) => ({ index, of: 1000 });
  assert.equal([nextSessionSeq(0, slot(0)), nextSessionSeq(0, slot(1)), nextSessionSeq(0, slot(999))], [1000, 1, 999]);
  assert.equal([nextSessionSeq(1000, slot(0)), nextSessionSeq(1001, slot(1)), nextSessionSeq(5, slot(3))], [2000, 2001, 1003]);
  for (let last = 0; last < 3000; last += 137) for (const i of [0, 1, 7]) {
    const n = nextSessionSeq(last, slot(i));
    assert.ok(n > last && n % 1000 === i && n - last <= 1000, `last ${last}, slot ${i}: ${n}`);
  }
});

test("two charge points' engines plugging in at the same second get different session IDs, and the store keeps each apart", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-cps-"));
  const store = new HubStore(join(dir, "hub.sqlite"));
  try {
    const a = new Driver(settings({ seqSlot: { index: 0, of: 1000 } }));
    const b = new Driver(settings({ seqSlot: { index: 1, of: 1000 } }));
    const commit = (d: Driver, cp: string | null, e: Parameters<Driver["send"]>[0]) => {
      const before = d.state;
      const out = d.send(e);
      if (out.length) store.commitStep(before, d.state, out, d.now as UtcSeconds, undefined, cp);
    };
    commit(a, null, { type: "eumd.status", present: true, reason: "answers" });
    commit(b, "garage-2", { type: "eumd.status", present: true, reason: "answers" });
    commit(a, null, { type: "evse.state", state: "B" });
    commit(b, "garage-2", { type: "evse.state", state: "B" });
    const [sa, sb] = [a.state.session!, b.state.session!];
    assert.is(sa.pluggedAt, sb.pluggedAt, "the same second");
    assert.is.not(sa.id, sb.id);
    assert.equal(store.listSessions().map((r) => [r.id, r.chargePoint]).sort(), [[sa.id, null], [sb.id, "garage-2"]].sort());
    assert.is(store.loadSnapshot(null)!.session!.id, sa.id, "[devices.charger]'s snapshot");
    assert.is(store.loadSnapshot("garage-2")!.session!.id, sb.id, "garage-2's own snapshot");
    assert.is(store.loadSnapshot("bay-9"), null);
    assert.is(store.maxSessionSeq(), Math.max(sa.seq, sb.seq));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store written before several charge points (schema 2) migrates: its session and snapshot stay [devices.charger]'s", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-cps-"));
  const file = join(dir, "hub.sqlite");
  try {
    const old = new Database(file, { create: true, strict: true });
    migrate(old, MIGRATIONS.slice(0, 2), file);
    old.run("INSERT INTO engine_snapshot (id, state, updated_at) VALUES (1, ?, ?)", [JSON.stringify({ sessionSeq: 7, marker: "old" }), T0]);
    old.run(`INSERT INTO sessions (id, seq, premises_id, plugged_at, phase, rate, revision, updated_at) VALUES ('PREM-1-old-7', 7, 'PREM-1', ?, 'ended', 'default', 3, ?)`, [T0, T0]);
    old.close();
    const store = new HubStore(file);
    try {
      assert.is((store.db.query("PRAGMA user_version").get() as { user_version: number }).user_version, MIGRATIONS.length);
      assert.is((store.loadSnapshot(null) as unknown as { marker: string }).marker, "old");
      assert.equal(store.listSessions().map((r) => [r.id, r.chargePoint]), [["PREM-1-old-7", null]]);
      assert.is(store.maxSessionSeq(), 7, "a new charge point numbers its sessions after the old ones");
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
