// Valid example messages, one of each kind: the documentation's samples and the starting point of tests
// on both sides (hub and head-end) — change a field to get exactly one error.
import type { KeyObject } from "node:crypto";
import type { HubId, PremisesId, SessionId, UtilityId, CustomerId, AccountId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { Wh } from "../../core/units/index.ts";
import type { BindingAnswer, BindingRequest } from "./binding.ts";
import type { CommissioningAck } from "./acks.ts";
import type { SessionReport } from "./session-report.ts";
import type { HubConfig } from "./hub-config.ts";
import type { DrStatusReport } from "./dr-status.ts";
import type { BillSummaryList } from "./bills.ts";
import type { PremisesIntervalBatch } from "./premises-intervals.ts";
import type { MeteredInterval } from "./interval.ts";
import { signBindingCredential } from "./credentials.ts";
import { exportPublicKeyBase64, keyIdOf } from "./keys.ts";

export const EXAMPLE_IDS = {
  hubId: "hub-0001" as HubId,
  premisesId: "prem-100" as PremisesId,
  utilityId: "util-pge" as UtilityId,
  otherUtilityId: "util-sce" as UtilityId,
  customerId: "cust-42" as CustomerId,
  accountId: "acct-42" as AccountId,
  vin: "1HGCM82633A004352" as Vin,
  guestVin: "5YJ3E1EA2KF317000" as Vin,
  sessionId: "sess-0001" as SessionId,
} as const;

/** 2024-06-03T07:00:00Z, TestClock's default start. */
export const EXAMPLE_T0 = 1_717_398_000 as UtcSeconds;

export function exampleBindingRequest(over: Partial<BindingRequest> = {}): BindingRequest {
  return {
    v: 1, hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId, vin: EXAMPLE_IDS.vin,
    path: "commissioning", pevProofOk: false, at: EXAMPLE_T0, sessionId: EXAMPLE_IDS.sessionId, ...over,
  };
}

/** An `enrolled` answer with a credential really signed by `utilityKey`. */
export function exampleBindingAnswer(utilityKey: KeyObject, over: { issuedAt?: UtcSeconds; expiresAt?: UtcSeconds } = {}): BindingAnswer {
  const issuedAt = over.issuedAt ?? EXAMPLE_T0;
  const credential = signBindingCredential({
    v: 1, vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, utilityId: EXAMPLE_IDS.utilityId, programId: "ev-tou",
    issuedAt, expiresAt: over.expiresAt ?? ((issuedAt + 365 * 86_400) as UtcSeconds), keyId: keyIdOf(utilityKey),
  }, utilityKey);
  return {
    v: 1, status: "enrolled", vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, answeredAt: EXAMPLE_T0,
    parameters: { programId: "ev-tou", programName: "EV Time-of-Use", tariffId: "ev2-a", intervalS: 900, commWaitS: 60, offlineRebinding: true, credential },
    pevSecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtMzI",
  };
}

export function exampleIntervals(start: UtcSeconds, count: number, lengthS = 900, wh = 1800): MeteredInterval[] {
  return Array.from({ length: count }, (_, i) => ({ start: (start + i * lengthS) as UtcSeconds, lengthS, wh: wh as Wh, quality: "ok" as const }));
}

export function exampleSessionReport(over: Partial<SessionReport> = {}): SessionReport {
  const intervals = over.intervals ?? exampleIntervals(EXAMPLE_T0, 4);
  return {
    v: 1, sessionId: EXAMPLE_IDS.sessionId, revision: 1, hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId,
    utilityId: EXAMPLE_IDS.utilityId, customerId: EXAMPLE_IDS.customerId, accountId: EXAMPLE_IDS.accountId, vin: EXAMPLE_IDS.vin,
    binding: { status: "enrolled", path: "rebinding", fallbackReason: null, offline: false },
    rate: "program", programId: "ev-tou", tariffId: "ev2-a",
    pluggedAt: EXAMPLE_T0, unpluggedAt: (EXAMPLE_T0 + 3600) as UtcSeconds, final: true,
    intervals, totalWh: intervals.reduce((a, i) => a + i.wh, 0) as Wh,
    events: [
      { at: EXAMPLE_T0, kind: "plug", reason: null },
      { at: (EXAMPLE_T0 + 2) as UtcSeconds, kind: "bound", reason: "utility confirmed (re-binding)" },
      { at: (EXAMPLE_T0 + 3600) as UtcSeconds, kind: "unplug", reason: null },
    ],
    ...over,
  };
}

export function examplePevAck(over: Partial<Extract<CommissioningAck, { kind: "pev" }>> = {}): CommissioningAck {
  return {
    v: 1, kind: "pev", hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId, vin: EXAMPLE_IDS.vin, sessionId: EXAMPLE_IDS.sessionId,
    at: (EXAMPLE_T0 + 5) as UtcSeconds, programId: "ev-tou", tariffId: "ev2-a", credentialKeyId: "k1", credentialExpiresAt: (EXAMPLE_T0 + 86_400) as UtcSeconds, ...over,
  };
}

export function exampleEumdAck(over: Partial<Extract<CommissioningAck, { kind: "eumd" }>> = {}): CommissioningAck {
  return {
    v: 1, kind: "eumd", hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId, vin: EXAMPLE_IDS.vin, sessionId: EXAMPLE_IDS.sessionId,
    at: (EXAMPLE_T0 + 6) as UtcSeconds, eumdId: "modbus:1", intervalS: 900, ...over,
  };
}

export function exampleHubConfig(utilityPublicKey: KeyObject, over: Partial<HubConfig> = {}): HubConfig {
  return {
    v: 1, hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId, utilityId: EXAMPLE_IDS.utilityId,
    customerId: EXAMPLE_IDS.customerId, accountId: EXAMPLE_IDS.accountId, configVersion: 1, issuedAt: EXAMPLE_T0,
    intervalS: 900, commWaitS: 60, defaultTariffId: "e1",
    tariffs: [{ tariffId: "e1", version: 1, effectiveFrom: EXAMPLE_T0 }, { tariffId: "ev2-a", version: 3, effectiveFrom: EXAMPLE_T0 }],
    revokedCredentials: [],
    utilityKeys: [{ keyId: keyIdOf(utilityPublicKey), publicKey: exportPublicKeyBase64(utilityPublicKey) }],
    drEvents: [{ id: "dr-1", start: (EXAMPLE_T0 + 7200) as UtcSeconds, durationS: 3600, criticality: 3, deviceClass: "electric-vehicle", action: "curtail", limitA: 8, optOutAllowed: true }],
    pullEveryS: 900,
    ...over,
  };
}

export function exampleDrStatus(over: Partial<DrStatusReport> = {}): DrStatusReport {
  return { v: 1, hubId: EXAMPLE_IDS.hubId, premisesId: EXAMPLE_IDS.premisesId, eventId: "dr-1", status: "received", at: EXAMPLE_T0, ...over };
}

export function examplePremisesIntervals(over: Partial<PremisesIntervalBatch> = {}): PremisesIntervalBatch {
  return { v: 1, utilityId: EXAMPLE_IDS.utilityId, premisesId: EXAMPLE_IDS.premisesId, meterId: "ami-9001", source: "ami", intervals: exampleIntervals(EXAMPLE_T0, 4, 900, 2500), ...over };
}

export function exampleBills(): BillSummaryList {
  return {
    v: 1, premisesId: EXAMPLE_IDS.premisesId,
    bills: [{
      billId: "bill-2024-06", utilityId: EXAMPLE_IDS.utilityId, customerId: EXAMPLE_IDS.customerId, accountId: EXAMPLE_IDS.accountId,
      premisesId: EXAMPLE_IDS.premisesId, month: "2024-06", periodStart: 1_717_225_200 as UtcSeconds, periodEnd: 1_719_817_200 as UtcSeconds,
      issuedAt: 1_719_820_800 as UtcSeconds, programId: "ev-tou", tariffId: "ev2-a", pevWh: 7200 as Wh,
      debitsCents: 230, creditsCents: 0, totalCents: 230,
      lines: [
        { kind: "pev-debit", description: "EV charging, off-peak", postedAt: (EXAMPLE_T0 + 3600) as UtcSeconds, sessionId: EXAMPLE_IDS.sessionId, wh: 7200, amountCents: 180, priceMicroUsdPerKWh: 250_000 },
        { kind: "fixed", description: "Program fee", postedAt: 1_719_817_200 as UtcSeconds, wh: 0, amountCents: 50 },
      ],
    }],
  };
}
