// The head-end's composition root: one database (SQLite or PostgreSQL behind core/storage's SqlStore), the services
// over it, and nothing that speaks HTTP. Tests and the benchmark can drive it directly; server.ts puts Hono in front.
import type { SqlStore } from "../../core/storage/index.ts";
import { RealClock, type Clock } from "../../core/time/index.ts";
import { BufferedNonceStore } from "./security/buffered-nonce-store.ts";
import { BindingService } from "./binding/binding-service.ts";
import { MonthlyBills } from "./billing/monthly-bills.ts";
import { UTILITY_MIGRATIONS } from "./db/migrations.ts";
import { openSqlStore } from "../../core/storage/index.ts";
import { UTILITY_PG_MIGRATIONS } from "./db/postgres-migrations.ts";
import { ensureMonthPartitions } from "./db/partitions.ts";
import { DrEvents } from "./dr/dr-events.ts";
import { EnrollmentStore } from "./enrollment/enrollment-store.ts";
import { loadUtilitySigningKey, type UtilitySigningKey } from "./keys/utility-signing-key.ts";
import { Ledger } from "./ledger/ledger.ts";
import { AmiStore } from "./metering/ami-store.ts";
import { DEFAULT_LOAD_TOLERANCE } from "./metering/load-correlation.ts";
import { clearinghouseClient } from "./roaming/clearinghouse-client.ts";
import { RoamingSync } from "./roaming/roaming-sync.ts";
import { SessionIntake } from "./sessions/session-intake.ts";
import { SessionKeys } from "./sessions/session-keys.ts";
import { BindingGrants } from "./binding/binding-grants.ts";
import { SessionReviews } from "./sessions/session-review.ts";
import { TariffCatalog } from "./tariffs/tariff-catalog.ts";
import type { UtilityOptions } from "./types.ts";
import type { Vin } from "../../core/ids/index.ts";
import { partyIdOf } from "../protocol/index.ts";

export interface HeadEnd {
  db: SqlStore;
  clock: Clock;
  utilityId: string;
  timeZone: string;
  key: UtilitySigningKey;
  enrollment: EnrollmentStore;
  ledger: Ledger;
  ami: AmiStore;
  tariffs: TariffCatalog;
  binding: BindingService;
  sessions: SessionIntake;
  reviews: SessionReviews;
  bills: MonthlyBills;
  dr: DrEvents;
  roaming: RoamingSync;
  nonces: BufferedNonceStore;
  close(): Promise<void>;
}

export async function createHeadEnd(opts: Omit<UtilityOptions, "port" | "host" | "operatorToken">): Promise<HeadEnd> {
  const clock = opts.clock ?? new RealClock();
  const timeZone = opts.timeZone ?? "America/Los_Angeles";
  const db = await openSqlStore(opts.dbPath, { sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS }, {
    ...(opts.dbSchema ? { schema: opts.dbSchema } : {}),
    ...(opts.dbPoolMax !== undefined ? { poolMax: opts.dbPoolMax } : {}),
    ...(opts.dbStatementTimeoutMs !== undefined ? { statementTimeoutMs: opts.dbStatementTimeoutMs } : {}),
  });
  await ensureMonthPartitions(db, clock.now());
  const key = await loadUtilitySigningKey(db, opts.signingKey);
  const enrollment = new EnrollmentStore(db, clock);
  const ledger = new Ledger(db);
  const ami = new AmiStore(db, clock);
  const tariffs = new TariffCatalog(db, clock);
  const client = opts.clearinghouseUrl && opts.clearinghouseToken ? clearinghouseClient(opts.clearinghouseUrl, opts.clearinghouseToken, { utilityId: opts.utilityId, privateKey: key.privateKey, clock }) : null;
  // A CDR its home utility refused holds the session it came from (called on a flush, after `sessions` exists).
  const roaming = new RoamingSync(db, clock, enrollment, ledger, client, (premisesId, sessionId, reason) => sessions.holdPosted(premisesId, sessionId, reason));
  const grants = new BindingGrants(db);
  const keys = new SessionKeys(db);
  const binding = new BindingService({
    db, enrollment, clock, utilityId: opts.utilityId, signingKey: key, foreignHomeOf: (vin: Vin) => roaming.foreignHomeOf(vin), grants, keys,
  });
  const sessions = new SessionIntake({
    db, clock, utilityId: opts.utilityId, enrollment, ledger, ami, tariffs, tolerance: opts.loadCorrelation ?? DEFAULT_LOAD_TOLERANCE, timeZone, grants, keys,
    ocpi: opts.ocpi ?? { countryCode: "US", partyId: partyIdOf(opts.utilityId) },
  });
  const reviews = new SessionReviews(db, clock, sessions);
  const bills = new MonthlyBills({ db, clock, utilityId: opts.utilityId, timeZone, enrollment, tariffs });
  const dr = new DrEvents(db, clock, enrollment);
  const nonces = await BufferedNonceStore.open(db, clock.now());
  return {
    db, clock, utilityId: opts.utilityId, timeZone, key, enrollment, ledger, ami, tariffs, binding, sessions, reviews, bills, dr, roaming, nonces,
    close: async () => {
      await nonces.close(clock.now());
      await db.close();
    },
  };
}
