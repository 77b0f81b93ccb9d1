// RoamingSync.flush on its own, with a clearinghouse double whose answers the test releases by hand: flushes
// started by the background loop, a change and the operator must not send the same token twice, and a flush asked
// for while another runs must still send what that one had not seen.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ClearinghouseClient } from "./clearinghouse-client.ts";
import { RoamingSync } from "./roaming-sync.ts";
import { makeVin, testUtility } from "../test-support.ts";

const V1 = makeVin("3FA6P0SU1K123456");
const V2 = makeVin("5YJ3E1EA7KF31755");

test("flushes run one at a time: a flush asked for during another waits for it, then sends only what it had not seen", async () => {
  // No clearinghouse URL: the utility's own background flush stays off; this RoamingSync is the only one.
  const t = await testUtility();
  try {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const puts: string[] = [];
    const client: ClearinghouseClient = {
      async putToken(vin) { puts.push(vin); await gate; },
      async homeOf() { return null; },
      async postCdr() { throw new Error("no CDRs in this test"); },
    };
    const sync = new RoamingSync(t.utility.db, t.clock, t.utility.headEnd.enrollment, t.utility.headEnd.ledger, client);

    await sync.markRoaming(V1);
    const first = sync.flush(); // reads V1 and waits on the clearinghouse
    await Bun.sleep(0);
    await sync.markRoaming(V2); // a change after the first flush read the pending rows
    const second = sync.flush();
    await Bun.sleep(0);
    assert.equal(puts, [V1], "the second flush waits for the first");

    release();
    assert.equal(await first, { tokens: 1, cdrs: 0, errors: [] });
    assert.equal(await second, { tokens: 1, cdrs: 0, errors: [] }, "the second sends V2, not V1 again");
    assert.equal(puts, [V1, V2]);
    assert.equal(await t.utility.db.all("SELECT vin FROM roaming_tokens WHERE published_at IS NULL"), []);
    await sync.idle();
  } finally {
    await t.close();
  }
});

test.run();
