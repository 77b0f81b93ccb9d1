// One energy window, one charge (issue 13) with several head-end workers on one database (issue 15): the overlap
// check walks sessions back from a window by the longest session span known. A worker that stored a long session
// raises the shared bound; another worker sees it within WORKER_CACHE_MS, so the same energy reported again under a
// new session ID is not missed there because its own bound was stale.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HeadEnd } from "../head-end.ts";
import { inProcessHeadEnd, makeVin, sessionReport } from "../test-support.ts";
import { WORKER_CACHE_MS } from "../worker-cache.ts";
import { SettledWindows } from "./settled-windows.ts";

const VIN = makeVin("5YJ3E1EA7KF31777");
const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000;
let a: HeadEnd;
let close: () => Promise<void>;

test.before(async () => { ({ h: a, close } = await inProcessHeadEnd({ vin: VIN })); });
test.after(async () => { await close(); });

test("issue 13/15: a long session stored by one worker bounds another worker's overlap check within WORKER_CACHE_MS", async () => {
  let ms = 0;
  const workerB = new SettledWindows(a.db, { monotonicMs: () => ms });
  // Worker B has checked before: its bound is the one-day default.
  assert.is(await workerB.overlap("S-X", VIN, "P1", "HUB-1", { from: T0 - 86_400 * 10, firstEnd: T0 - 86_400 * 10 + 900, to: T0 - 86_400 * 10 + 1800 }), null);
  // Worker A stores a session plugged in for three days, charging at its end.
  const wh = [...Array.from({ length: 287 }, () => 0), 1000];
  const long = sessionReport({ sessionId: "S-LONG", hubId: "HUB-1", premisesId: "P1", vin: VIN, start: T0, wh, rate: "default" });
  const [r] = await a.sessions.intakeBatch([long]);
  assert.equal(r!.ok && r!.receipt.outcome, "accepted");
  // The same energy window (the last interval, ~3 days after plug-in) under another session ID, checked by worker B.
  const w = { from: T0 + 287 * 900, firstEnd: T0 + 288 * 900, to: T0 + 288 * 900 };
  ms += WORKER_CACHE_MS + 1;
  assert.match(String(await workerB.overlap("S-AGAIN", VIN, "P1", "HUB-1", w)), /overlaps session S-LONG/);
});

test.run();
