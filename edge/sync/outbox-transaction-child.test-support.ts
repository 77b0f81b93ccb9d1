// A hub process for the transactional-outbox test: real store, real utility link and outbox, a utility that is never
// reached. It charges one session to its end and SIGKILLs itself the instant the store has committed the step that
// ended it — the window in which a report queued "afterwards" was lost (issue 12).
// argv: dataDir
import { join } from "node:path";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import { TestClock, type UtcSeconds } from "../../core/time/index.ts";
import { generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { settings, T0, VIN } from "../engine/harness.test-support.ts";
import type { Command, HubState } from "../engine/types.ts";
import { Hub } from "../hub/hub.ts";
import { HubStore } from "../store/hub-store.ts";
import { UtilityLink } from "./utility-link.ts";

class StoreThatDiesAfterTheFinalStep extends HubStore {
  override commitStep(before: HubState, after: HubState, commands: readonly Command[], now: UtcSeconds, within?: () => void, chargePoint: string | null = null): void {
    super.commitStep(before, after, commands, now, within, chargePoint);
    const ended = after.lastEnded;
    if (ended && after.session === null && commands.some((c) => c.type === "session.report" && c.sessionId === ended.id)) {
      process.kill(process.pid, "SIGKILL");
    }
  }
}

const dir = process.argv[2]!;
const clock = new TestClock(T0 * 1000);
const store = new StoreThatDiesAfterTheFinalStep(join(dir, "hub.sqlite"));
const link = new UtilityLink({
  baseUrl: "http://127.0.0.1:9", hubId: "HUB-1" as HubId, premisesId: "PREM-1" as PremisesId, utilityId: "UTIL-A" as UtilityId,
  hubKey: generateEd25519KeyPair().privateKey, utilityKeys: new Map(), store, clock, log: () => {}, eumdId: "eumd-1",
});
const hub = new Hub({ store, clock, settings: settings({ intervalS: 60 }), log: () => {},
  ports: { charger: null, eumd: null, premisesMeter: null, pevLink: null, utility: null, reports: link, displays: [] } });
hub.start();
await hub.ready;
await hub.dispatch({ type: "eumd.status", present: true, reason: "test" });
await hub.dispatch({ type: "eumd.reading", energyWh: 1000, powerW: 0, at: clock.now() });
await hub.dispatch({ type: "evse.state", state: "B" });
await hub.dispatch({ type: "pev.hello", vin: VIN });
for (let s = 1; s <= 600; s++) {
  clock.advance(1000);
  await hub.dispatch({ type: "tick" });
  if (s % 10 === 0) await hub.dispatch({ type: "eumd.reading", energyWh: 1000 + s * 2, powerW: 7200, at: clock.now() });
}
await hub.dispatch({ type: "evse.state", state: "A" });
// Not reached: the store killed the process when it committed the unplug.
console.log("still alive");
