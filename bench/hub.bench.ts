// Issue 2 figures: engine throughput, store write rate, a year of 1-minute intervals on disk, the dashboard's
// month query. The hub process's own figures (cold start, RSS, CPU, disk writes) are in bench/footprint.bench.ts.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UtcSeconds } from "../core/time/index.ts";
import { Driver, params, T0, VIN } from "../edge/engine/harness.test-support.ts";
import { initialState, step } from "../edge/engine/index.ts";
import type { HubState } from "../edge/engine/index.ts";
import { HubStore } from "../edge/store/index.ts";
import { type DashboardContext, usageView } from "../edge/http/index.ts";
import { SessionPricing } from "../edge/http/dashboard/tariff-lookup.ts";
import { premisesTariffs } from "../edge/hub/session-tariff.ts";
import { settings } from "../edge/engine/harness.test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-bench-"));
const fmt = (n: number, d = 0) => n.toFixed(d);

// 1. Engine: a bound session fed meter readings and ticks, the events a hub produces every second.
{
  const d = new Driver();
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params() });
  let state: HubState = d.state;
  const N = 400_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const now = (T0 + 1 + (i >> 1)) as UtcSeconds;
    const ev = i & 1 ? { type: "tick" as const } : { type: "eumd.reading" as const, energyWh: 1000 + (i >> 1) * 2, powerW: 7200, at: now };
    state = step(state, ev, now).state;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`engine.events_per_s: ${fmt(N / s)} 1/s`);
}

// 2. Store: engine steps that close intervals, committed the way the hub does (one transaction per step).
{
  const store = new HubStore(join(dir, "steps.sqlite"));
  let state = initialState(settings({ intervalS: 60 }));
  const feed = (e: Parameters<typeof step>[1], now: number) => {
    const r = step(state, e, now as UtcSeconds);
    store.commitStep(state, r.state, r.commands, now as UtcSeconds);
    state = r.state;
  };
  feed({ type: "eumd.status", present: true, reason: "bench" }, T0);
  feed({ type: "evse.state", state: "B" }, T0);
  feed({ type: "pev.hello", vin: VIN }, T0);
  feed({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params({ intervalS: 60 }) }, T0);
  const N = 20_000;
  const t0 = performance.now();
  for (let i = 1; i <= N; i++) feed({ type: "eumd.reading", energyWh: i * 100, powerW: 6000, at: (T0 + i * 60) as UtcSeconds }, T0 + i * 60);
  const s = (performance.now() - t0) / 1000;
  console.log(`store.steps_with_interval_per_s: ${fmt(N / s)} 1/s`);
  store.close();
}

// 3. A year of 1-minute intervals for the EUMD and the premises meter: write rate in batches, size on disk, month query.
{
  const path = join(dir, "year.sqlite");
  const store = new HubStore(path);
  const db: Database = store.db;
  const start = Date.UTC(2025, 0, 1) / 1000;
  const minutes = 365 * 24 * 60;
  db.exec("INSERT INTO sessions (id, seq, premises_id, plugged_at, phase, rate, revision, updated_at) VALUES ('S', 1, 'P', 0, 'ended', 'program', 1, 0)");
  const ins = db.query("INSERT INTO eumd_intervals (start, session_seq, length_s, wh, quality) VALUES (?, 1, 60, ?, 0)");
  const t0 = performance.now();
  const BATCH = 1440;
  for (let b = 0; b < minutes; b += BATCH) {
    db.transaction(() => { for (let i = b; i < Math.min(minutes, b + BATCH); i++) ins.run(start + i * 60, (i * 7) % 120); })();
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`store.interval_rows_per_s: ${fmt(minutes / s)} 1/s`);
  for (let b = 0; b < minutes; b += BATCH) {
    const rows = [];
    for (let i = b; i < Math.min(minutes, b + BATCH); i++) rows.push({ start: start + i * 60, lengthS: 60, wh: (i * 13) % 60, quality: "ok" as const });
    store.insertPremisesIntervals(rows);
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  console.log(`store.year_1min_eumd_and_premises_mb: ${fmt(statSync(path).size / 1e6, 1)} MB`);
  const july = Date.UTC(2025, 6, 1) / 1000;
  const aug = Date.UTC(2025, 7, 1) / 1000;
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const q0 = performance.now();
    store.dailyEnergy(july, aug);
    store.intervalsBetween("premises", july, aug);
    times.push(performance.now() - q0);
  }
  times.sort((a, b) => a - b);
  console.log(`store.month_query_ms: ${fmt(times[Math.floor(times.length / 2)]!, 2)} ms`);
  // What the dashboard's Usage page really asks for: a month of 1-minute intervals by day and price period, priced.
  const pricing = new SessionPricing(premisesTariffs("pge-e-tou-c", console.log), console.log);
  const ctx = { store, timeZone: "America/Los_Angeles", pricing } as DashboardContext;
  const view: number[] = [];
  for (let i = 0; i < 12; i++) {
    const q0 = performance.now();
    usageView(ctx, "2025-07", aug as UtcSeconds);
    view.push(performance.now() - q0);
  }
  view.sort((a, b) => a - b);
  console.log(`dashboard.month_usage_view_ms: ${fmt(view[Math.floor(view.length / 2)]!, 2)} ms`);
  store.close();
}

// Hub cold start, idle memory and CPU, disk writes: bench/footprint.bench.ts (source run and compiled executable).
rmSync(dir, { recursive: true, force: true });
