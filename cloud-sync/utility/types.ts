// The utility head-end's own vocabulary: enrollment records, ledger postings, bills and options.
// Wire messages between hub and utility live in cloud-sync/protocol; these are the head-end's records.
import type { AccountId, CustomerId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { DrEvent } from "../protocol/index.ts";
import type { BillLineKind } from "../protocol/index.ts";

/** Who pays when a PEV enrolled at another premises of this utility charges here (FR-33). */
export type GuestCharging = "off" | "host-pays" | "guest-pays";

/** How customers enroll (FR-01): shown with each program by the public `GET /v1/programs`. */
export type EnrollmentMethod = "web" | "phone" | "mail";

export interface Program {
  id: string;
  name: string;
  description: string;
  /** A tariff ID known to core/tariff (`tariffById`). */
  tariffId: string;
  /** EUMD interval length, seconds (FR-25): divides 3600. */
  intervalS: number;
  /** Comm-wait window the hub applies after On-Plug, seconds, ≥ 60 (NFR-3). */
  commWaitS: number;
  guestCharging: GuestCharging;
  /** May PEVs of this program roam (registered at the clearinghouse), and may roaming PEVs charge at its premises? */
  roamingAllowed: boolean;
  /** May a hub accept an unexpired binding credential offline when the utility is unreachable? */
  offlineRebinding: boolean;
  /** Lifetime of the binding credentials issued under this program, seconds. */
  credentialTtlS: number;
  enrollmentMethods: EnrollmentMethod[];
  active: boolean;
}

export interface Customer { id: CustomerId; name: string; email?: string; phone?: string }
/** `deactivated`: the customer token is refused and the account's sessions are held (reason `account-deactivated`). */
export interface Account {
  id: AccountId; customerId: CustomerId; status: "active" | "closed" | "deactivated";
  /** First and last local days of service (YYYY-MM-DD, utility time zone); absent when not known (older accounts). */
  openedOn?: string; closedOn?: string;
}
export interface Premises {
  id: PremisesId;
  accountId: AccountId;
  address: string;
  /** The premises' regular rate: all fallback energy accrues at it (BR-4, BR-6). */
  defaultTariffId: string;
  /** The EVSE's rated power, W (default 19,200): no interval may carry more than this × its length. */
  evseRatedW: number;
}
export interface Pev { vin: Vin; accountId: AccountId; make?: string; model?: string }
export interface Enrollment { id: string; vin: Vin; premisesId: PremisesId; programId: string; enrolledAt: UtcSeconds; active: boolean }
export interface HubPairing { hubId: string; premisesId: PremisesId; publicKeyPem: string; pairedAt: UtcSeconds; active: boolean }

/** Binding state kept per (PEV, premises): commissioning is pending until PEV (FR-19) and EUMD (FR-27) ack. */
export interface BindingRecord {
  vin: Vin;
  premisesId: PremisesId;
  programId: string;
  state: "commissioning" | "commissioned";
  pevAckAt: UtcSeconds | null;
  eumdAckAt: UtcSeconds | null;
  issuedAt: UtcSeconds;
  expiresAt: UtcSeconds;
}

/** Money in the ledger: integer nano-dollars (Wh × µ$/kWh), exact; rounded to cents once per bill line. */
export type NanoDollars = number & { readonly __brand: "NanoDollars" };

/** A ledger account name: `customer:<accountId>`, `revenue:energy`, `clearinghouse:<utilityId>`, `review:held`. */
export type LedgerAccount = string;

export interface Posting {
  ledgerAccount: LedgerAccount;
  /** Positive = debit, negative = credit. Each journal entry's postings sum to zero. */
  amountNano: number;
  energyWh: number;
  /** Tariff period name (e.g. "On-Peak"), or "cdr" for a clearinghouse charge. */
  period: string;
  intervalStart: UtcSeconds | null;
  /** How the posting shows on a customer's bill; "contra" for the utility's own side (revenue, clearinghouse). */
  lineKind: BillLineKind | "contra";
  tariffId: string | null;
  priceMicroUsdPerKWh: number | null;
}

export interface JournalEntry {
  id: number;
  /** The premises the entry is about: the distribution key (docs/scale.md); all its postings live with it. */
  premisesId: string;
  kind: "session" | "reversal" | "clearinghouse-cdr";
  sessionId: string | null;
  revision: number | null;
  reversesEntryId: number | null;
  at: UtcSeconds;
  memo: string;
  postings: Posting[];
}

/** A demand-response event as the operator issued it: the wire event plus whom it targets. */
export interface DrEventRecord {
  event: DrEvent;
  /** Only hubs at premises enrolled in this program get it; null = every paired hub. */
  programId: string | null;
  /** Only these premises; null = no restriction. */
  premisesIds: PremisesId[] | null;
  createdAt: UtcSeconds;
}

export interface UtilityOptions {
  /** 0 picks an ephemeral port. */
  port: number;
  host?: "127.0.0.1";
  /** Where the head-end keeps its data: a SQLite file path (or ":memory:"), or a postgres:// URL (docs/operations.md). */
  dbPath: string;
  /** PostgreSQL only: the schema every connection works in (search_path); tests use one schema each. */
  dbSchema?: string;
  /** PostgreSQL only: connections in the pool (default 10). */
  dbPoolMax?: number;
  /** PostgreSQL only: statement_timeout in ms (default 30 000; 0 = none). */
  dbStatementTimeoutMs?: number;
  utilityId: string;
  /** IANA zone for tariffs and bill months; default America/Los_Angeles. */
  timeZone?: string;
  /** Bearer token for the operator API. */
  operatorToken: string;
  /** Base URL of the clearinghouse for roaming (FR-30, FR-32). */
  clearinghouseUrl?: string;
  /** Token this utility presents to the clearinghouse (and expects from it on pushes). */
  clearinghouseToken?: string;
  /** PKCS#8 PEM of the utility's Ed25519 binding-credential key; generated and kept in the DB when absent. */
  signingKey?: string;
  clock?: Clock;
  /** The event log (one JSON line per event); default: stdout at `logLevel`. */
  log?: import("./log/structured-log.ts").StructuredLog;
  /** Level of the default event log (OFFPEAK_LOG_LEVEL): debug, info (default), warn, error. */
  logLevel?: import("./log/structured-log.ts").LogLevel;
  /** Told of every answer whose status its route does not declare in /openapi.json (tests fail on any). */
  onUndeclaredStatus?: (operationId: string, status: number) => void;
  /** OCPI party of this utility (the CPO of its CDRs): ISO 3166 alpha-2 country and a 3-character party ID. */
  ocpi?: { countryCode: string; partyId: string };
  /** Load-correlation tolerance (FR-15): PEV Wh may exceed premises Wh by this ratio plus slack. Default 0.02 + 10 Wh. */
  loadCorrelation?: { ratio: number; slackWh: number };
}

export type { UtilityId };
