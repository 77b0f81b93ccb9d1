import { test } from "uvu";
import * as assert from "uvu/assert";
import { isReportedToUtility, SESSION_EVENT_KINDS } from "./event-kinds.ts";

test("FR-29: the utility receives binding, metering and DR events; EVSE chatter, config and owner requests stay on the hub", () => {
  for (const k of ["on-plug", "bound", "fallback", "unplug.uncertain", "commissioning.pev-ack", "eumd.register-reset", "dr.opted-out", "pev.claim-refused"]) {
    assert.ok(isReportedToUtility(k), k);
  }
  for (const k of ["evse.hold", "evse.allow", "evse.divergence", "config.comm-wait", "owner.request", "charge-mode", "pev-link.lost"]) {
    assert.not.ok(isReportedToUtility(k), k);
  }
  assert.not.ok(isReportedToUtility("some.kind-from-an-old-database"), "a kind no longer recorded is not sent");
  assert.ok(Object.keys(SESSION_EVENT_KINDS).length > 40);
});

test.run();
