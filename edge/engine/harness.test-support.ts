// Test support for the engine: a tiny driver that feeds events at chosen UTC seconds and keeps every command.
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { initialState, step } from "./reducer.ts";
import type { Command, EngineEvent, EngineSettings, HubState } from "./types.ts";

export const VIN = "1HGCM82633A004352"; // a valid VIN (check digit 3)
export const VIN2 = "5YJ3E1EA2KF317000";
export const T0 = Date.UTC(2024, 5, 3, 22, 0, 0) / 1000; // 2024-06-03T22:00:00Z

export function settings(over: Partial<EngineSettings> = {}): EngineSettings {
  return {
    premisesId: "PREM-1" as PremisesId,
    utilityId: "UTIL-A" as UtilityId,
    commWaitS: 60,
    intervalS: 900,
    pendingIntervalS: null,
    fallbackPreference: "charge-now",
    maxCurrentA: 32,
    maxPowerW: 7680,
    ...over,
  };
}

export function params(over: Partial<AuthenticationParameters> = {}): AuthenticationParameters {
  return {
    programId: "EV-TOU",
    programName: "EV Time-of-Use",
    tariffId: "pge-ev2-a",
    intervalS: 900,
    commWaitS: 60,
    offlineRebinding: true,
    credential: {
      v: 1, vin: VIN as never, premisesId: "PREM-1" as never, utilityId: "UTIL-A" as never, programId: "EV-TOU",
      issuedAt: T0 as UtcSeconds, expiresAt: (T0 + 86400 * 365) as UtcSeconds, keyId: "k1", signature: "sig",
    },
    ...over,
  };
}

export class Driver {
  state: HubState;
  now: number;
  log: Command[] = [];
  constructor(s: EngineSettings = settings(), start = T0) {
    this.state = initialState(s);
    this.now = start;
  }
  at(seconds: number): this { this.now = seconds; return this; }
  after(seconds: number): this { this.now += seconds; return this; }
  send(e: EngineEvent): Command[] {
    const r = step(this.state, e, this.now as UtcSeconds);
    this.state = r.state;
    this.log.push(...r.commands);
    return r.commands;
  }
  /** Advances second by second with ticks, as the shell's timer does. */
  tickFor(seconds: number): Command[] {
    const out: Command[] = [];
    for (let i = 0; i < seconds; i++) { this.now += 1; out.push(...this.send({ type: "tick" })); }
    return out;
  }
  plug(): Command[] { this.send({ type: "eumd.status", present: true, reason: "EUMD answers" }); return this.send({ type: "evse.state", state: "B" }); }
  of<T extends Command["type"]>(type: T, from: Command[] = this.log): Extract<Command, { type: T }>[] {
    return from.filter((c): c is Extract<Command, { type: T }> => c.type === type);
  }
  records(from: Command[] = this.log) { return this.of("record", from).map((c) => c.event); }
  lastEvse() { return this.of("evse.set").at(-1); }
}
