// The same energy sent twice at once under two session IDs (issue 13's one window, one charge), in two concurrent
// transactions (issue 15: several batch requests, on one head-end worker or several). Both transactions are held at
// the ledger write until the other arrives (or 300 ms pass): without the intake's advisory locks both would have
// passed the overlap check and both would bill.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HeadEnd } from "../head-end.ts";
import type { NewEntry } from "../ledger/ledger.ts";
import { inProcessHeadEnd, makeVin, sessionReport } from "../test-support.ts";

const VIN = makeVin("5YJ3E1EA7KF31888");
const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000;
let h: HeadEnd;
let close: () => Promise<void>;

test.before(async () => { ({ h, close } = await inProcessHeadEnd({ vin: VIN })); });
test.after(async () => { await close(); });

test("issue 13/15: the same energy in two concurrent transactions under two session IDs settles once; the other is held", async () => {
  const report = (sessionId: string, start = T0) => sessionReport({ sessionId, hubId: "HUB-1", premisesId: "P1", vin: VIN, start, wh: [1000, 1000], rate: "default" });
  // An earlier session first: the head-end's shared span bound (a settings row) then exists, and raising it would
  // not serialise the two transactions below by accident.
  assert.equal((await h.sessions.intakeBatch([report("S-EARLIER", T0 - 86_400 * 7)])).map((r) => r.ok && r.receipt.outcome), ["accepted"]);
  const post = h.ledger.post.bind(h.ledger);
  let arrived = 0;
  let release = () => {};
  const both = new Promise<void>((resolve) => { release = resolve; });
  h.ledger.post = async (e: NewEntry) => {
    if (++arrived === 2) release();
    await Promise.race([both, Bun.sleep(300)]);
    return post(e);
  };
  try {
    const [a, b] = await Promise.all([h.sessions.intakeBatch([report("S-ONE")]), h.sessions.intakeBatch([report("S-TWO")])]);
    const outcomes = [a[0]!, b[0]!].map((r) => (r.ok ? r.receipt.outcome : `error: ${String(r.error)}`)).sort();
    assert.equal(outcomes, ["accepted", "held-for-review"]);
  } finally {
    h.ledger.post = post;
  }
  const posted = await h.db.all<{ session_id: string }>("SELECT session_id FROM sessions WHERE premises_id = 'P1' AND status = 'posted'");
  assert.is(posted.length, 2, "the earlier session and one of the two");
  assert.is(await h.ledger.totalNano(), 0);
});

test.run();
