// The configuration a paired hub pulls (protocol hub-config): interval length (FR-25) and comm-wait of its
// premises' program, the tariffs it prices with, the utility key for offline credential checks, revoked
// credentials and the demand-response events aimed at it. `configVersion` grows whenever any of that changes.
import type { SqlStore } from "../../../core/storage/index.ts";
import { localMidnightUtc } from "../../../core/tariff/index.ts";
import type { HubId, PremisesId, UtilityId, AccountId, CustomerId } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { hubConfigSchema, type HubConfig, type TariffVersion } from "../../protocol/index.ts";
import type { DrEvents } from "../dr/dr-events.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import type { UtilitySigningKey } from "../keys/utility-signing-key.ts";
import type { TariffCatalog } from "../tariffs/tariff-catalog.ts";
import type { HubPairing } from "../types.ts";

export const DEFAULT_INTERVAL_S = 900;
export const DEFAULT_COMM_WAIT_S = 60;

/** Bumps the configuration version every hub sees (call after any change that reaches hubs). */
export async function bumpConfigVersion(db: SqlStore): Promise<number> {
  await db.run(`INSERT INTO settings (key, value) VALUES ('config_version', '2')
    ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)`);
  return configVersion(db);
}

export async function configVersion(db: SqlStore): Promise<number> {
  const r = await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'config_version'");
  return r ? Number(r.value) : 1;
}

export interface HubConfigDeps {
  db: SqlStore;
  clock: Clock;
  utilityId: string;
  enrollment: EnrollmentStore;
  tariffs: TariffCatalog;
  dr: DrEvents;
  key: UtilitySigningKey;
  pullEveryS: number;
  /** The utility's IANA zone, sent to the hub (issue 14). */
  timeZone?: string;
}

export async function buildHubConfig(d: HubConfigDeps, hub: HubPairing): Promise<HubConfig> {
  const premises = (await d.enrollment.premises(hub.premisesId))!;
  const account = await d.enrollment.account(premises.accountId);
  const program = await d.enrollment.programAtPremises(premises.id);
  const tariffIds = [...new Set([premises.defaultTariffId, ...(program ? [program.tariffId] : [])])];
  const tariffs: TariffVersion[] = [];
  for (const id of tariffIds) {
    const t = await d.tariffs.get(id);
    if (!t) continue;
    const latest = t.versions[t.versions.length - 1]!;
    const [y, m, day] = latest.effectiveFrom.split("-").map(Number) as [number, number, number];
    tariffs.push({
      tariffId: id, version: t.versions.length, effectiveFrom: localMidnightUtc(t.timeZone, y, m, day) as UtcSeconds,
      definition: t as unknown as Record<string, unknown>,
    });
  }
  const revoked = await d.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'revocations'");
  return hubConfigSchema.parse({
    v: 1, hubId: hub.hubId as HubId, premisesId: premises.id as PremisesId, utilityId: d.utilityId as UtilityId,
    customerId: (account?.customerId ?? null) as CustomerId | null, accountId: (account?.id ?? null) as AccountId | null,
    configVersion: await configVersion(d.db), issuedAt: d.clock.now(),
    intervalS: program?.intervalS ?? DEFAULT_INTERVAL_S, commWaitS: program?.commWaitS ?? DEFAULT_COMM_WAIT_S,
    defaultTariffId: premises.defaultTariffId, tariffs,
    revokedCredentials: revoked ? (JSON.parse(revoked.value) as unknown[]).filter((r) => (r as { premisesId: string }).premisesId === premises.id) : [],
    utilityKeys: [{ keyId: d.key.keyId, publicKey: d.key.publicKeyBase64 }],
    drEvents: await d.dr.forPremises(premises.id),
    pullEveryS: d.pullEveryS,
    ...(d.timeZone ? { timeZone: d.timeZone } : {}),
  });
}
