// Head-end volume benchmarks, in process, on SQLite and on PostgreSQL side by side (issue 15):
//   utility[.pg].ami_intervals_per_s         AMI intervals stored per second: 100 premises × a month of 15-min intervals,
//                                            one delivery per premises, 4 deliveries in flight (BENCH_AMI_IN_FLIGHT)
//                                            (COPY on PostgreSQL, multi-row upserts on SQLite)
//   utility[.pg].month_close_accounts_per_s  accounts billed per second by the paged, parallel month close (4 workers,
//                                            batches of 100 accounts); each account has a month of PEV sessions on
//                                            its ledger (20 × 8 intervals; see SESSIONS)
//   utility[.pg].month_close_peak_rss_mb     the process's peak RSS during the month close
// Scaled down from the issue's 100,000 accounts to BENCH_ACCOUNTS (default 2,000) so a run takes seconds here; the
// per-account work does not grow with the number of accounts (docs/scale.md has the 100,000-account run:
// BENCH_ACCOUNTS=100000 BENCH_ENGINES=postgres). The accounts' ledgers are generated set-wise (generateAccounts).
import { TestClock } from "../core/time/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import { testDatabase } from "../core/storage/testing/index.ts";
import { createHeadEnd, type HeadEnd } from "../cloud-sync/utility/head-end.ts";
import type { SqlStore } from "../core/storage/index.ts";
import { MONTH_CLOSE_DEFAULTS, closeMonth } from "../cloud-sync/utility/billing/month-close.ts";
import { REVENUE_ENERGY } from "../cloud-sync/utility/ledger/ledger.ts";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 2000);
const AMI_PREMISES = Number(process.env.BENCH_AMI_PREMISES ?? 100);
const AMI_IN_FLIGHT = Number(process.env.BENCH_AMI_IN_FLIGHT ?? 4);
const MONTH_CLOSE_WORKERS = Number(process.env.BENCH_MONTH_CLOSE_WORKERS ?? 4), MONTH_CLOSE_BATCH = Number(process.env.BENCH_MONTH_CLOSE_BATCH ?? MONTH_CLOSE_DEFAULTS.batchSize);
const ENGINES = (process.env.BENCH_ENGINES ?? "sqlite,postgres").split(",") as ("sqlite" | "postgres")[];
const JUNE = 1_717_200_000; // 2024-06-01 00:00 UTC
const INTERVALS = 2880; // 30 days of 15 minutes
/**
 * A PEV's month on its account's ledger: 20 sessions of 8 fifteen-minute intervals (2 h at 6 kW, 12 kWh a session,
 * 240 kWh a month: an average US EV's ~1,000 miles), one posting per interval. BENCH_SESSIONS and
 * BENCH_SESSION_INTERVALS set a heavier month (30 × 16, a 4-hour session every day, is the one measured before).
 */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20), SESSION_INTERVALS = Number(process.env.BENCH_SESSION_INTERVALS ?? 8), SESSION_START = JUNE + 12 * 3600;
/** Accounts generated per transaction. */
const GENERATE_CHUNK = 2000;
const SESSION_NANO = Array.from({ length: SESSION_INTERVALS }, (_, k) => 300_000_000 + k).reduce((a, b) => a + b, 0);

/** `SELECT i FROM s` for i in [0, n): generate_series on PostgreSQL, a recursive CTE on SQLite. */
const series = (db: SqlStore, n: number): string => db.engine === "postgres"
  ? `s(i) AS (SELECT generate_series(0, ${n - 1}))`
  : `RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1})`;

/**
 * `n` accounts, each with a customer, a premises on bench-tou and a month of PEV sessions on its ledger: the rows
 * enrollment and Ledger.post write (a balanced entry per session: 16 pev-debit postings and their contra), written
 * set-wise (INSERT … SELECT over a series) so 100,000 accounts take minutes, not hours. checkBill verifies a bill.
 */
async function generateAccounts(db: SqlStore, n: number): Promise<void> {
  const firstEntry = ((await db.get<{ m: number | null }>("SELECT MAX(id) AS m FROM journal_entries"))?.m ?? 0) + 1;
  for (let from = 0; from < n; from += GENERATE_CHUNK) {
    const count = Math.min(GENERATE_CHUNK, n - from);
    await db.transaction(async () => {
      if (db.engine === "postgres") {
        // Bench setup only: the rows are consistent by construction, so the per-row foreign-key triggers (postings →
        // journal_entries, ~10 µs a row) are skipped, and a chunk may take longer than the head-end's statement timeout.
        await db.exec("SET LOCAL session_replication_role = replica; SET LOCAL statement_timeout = 0");
      }
      await generateChunk(db, from, count, firstEntry + from * SESSIONS);
    });
  }
  if (db.engine === "postgres") {
    // The identity continues after the IDs given; fresh statistics, as autovacuum would have them on a live database.
    await db.get("SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), (SELECT MAX(id) FROM journal_entries))");
    await db.exec("ANALYZE accounts; ANALYZE premises; ANALYZE account_premises; ANALYZE journal_entries; ANALYZE postings");
  }
}

/** Accounts [from, from + n): account a is 'A' || a, its premises 'PA' || a; its sessions' entries from `firstEntry`. */
async function generateChunk(db: SqlStore, from: number, n: number, firstEntry: number): Promise<void> {
  const id = (expr: string) => `'A' || (${from} + ${expr})`;
  const entries = n * SESSIONS, postings = entries * (SESSION_INTERVALS + 1);
  await db.run(`WITH ${series(db, n)} INSERT INTO customers (id, name) SELECT 'C' || ${id("i")}, ${id("i")} FROM s`);
  await db.run(`WITH ${series(db, n)} INSERT INTO accounts (id, customer_id, status, token_hash) SELECT ${id("i")}, 'C' || ${id("i")}, 'active', 'bench-' || ${id("i")} FROM s`);
  await db.run(`WITH ${series(db, n)} INSERT INTO premises (id, account_id, address, default_tariff_id, evse_rated_w, account_since) SELECT 'P' || ${id("i")}, ${id("i")}, 'bench', 'bench-tou', 19200, 0 FROM s`);
  await db.run(`WITH ${series(db, n)} INSERT INTO account_premises (account_id, premises_id, since) SELECT ${id("i")}, 'P' || ${id("i")}, 0 FROM s`);
  // Session d of account a: from 12:00 UTC on June d+1 (within the utility's local June) for 4 hours, reported at its end.
  await db.run(`WITH ${series(db, entries)} INSERT INTO journal_entries (premises_id, id, kind, session_id, revision, reverses_entry_id, at, memo)
    SELECT 'P' || ${id(`i / ${SESSIONS}`)}, ${firstEntry} + i, 'session', 'S-' || (${firstEntry} + i), 1, NULL, ${SESSION_START + SESSION_INTERVALS * 900} + (i % ${SESSIONS}) * 86400, 'bench' FROM s`);
  // Posting k of entry j: k < 16 an interval's pev-debit on the customer's ledger, k = 16 the contra on revenue:energy.
  const k = `(i % ${SESSION_INTERVALS + 1})`, j = `(i / ${SESSION_INTERVALS + 1})`, start = `(${SESSION_START} + (${j} % ${SESSIONS}) * 86400)`;
  const debit = `${k} < ${SESSION_INTERVALS}`;
  await db.run(`WITH ${series(db, postings)} INSERT INTO postings (premises_id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind, tariff_id, price)
    SELECT 'P' || ${id(`${j} / ${SESSIONS}`)}, ${firstEntry} + ${j},
      CASE WHEN ${debit} THEN 'customer:' || ${id(`${j} / ${SESSIONS}`)} ELSE '${REVENUE_ENERGY}' END,
      CASE WHEN ${debit} THEN 300000000 + ${k} ELSE ${-SESSION_NANO} END,
      CASE WHEN ${debit} THEN 1500 ELSE 0 END,
      CASE WHEN ${debit} THEN 'Off-Peak' ELSE '' END,
      CASE WHEN ${debit} THEN ${start} + ${k} * 900 ELSE ${start} END,
      CASE WHEN ${debit} THEN ${start} + ${k} * 900 ELSE ${start} END,
      CASE WHEN ${debit} THEN 'pev-debit' ELSE 'contra' END, 'bench-tou',
      CASE WHEN ${debit} THEN 200000 ELSE NULL END FROM s`);
}

/** The last account's bill carries its 30 generated sessions as one PEV line, to the cent and the Wh. */
async function checkBill(h: HeadEnd, a: number): Promise<void> {
  const bill = await h.bills.bill(`A${a}`, "2024-06");
  const pevCents = Math.round((SESSIONS * SESSION_NANO) / 10_000_000);
  const pevLine = bill?.lines.find((l) => l.kind === "pev-debit");
  if (!bill || !pevLine || pevLine.amountCents !== pevCents || pevLine.wh !== SESSIONS * SESSION_INTERVALS * 1500) {
    throw new Error(`bill of A${a} is not the generated month: ${JSON.stringify(bill?.lines)}`);
  }
}

for (const engine of ENGINES) {
  process.env.OFFPEAK_TEST_DB = engine;
  const name = engine === "postgres" ? "utility.pg" : "utility";
  const database = await testDatabase();
  const h = await createHeadEnd({
    dbPath: database.target, ...(database.schema ? { dbSchema: database.schema } : {}), utilityId: "UTIL-BENCH",
    clock: new TestClock(Date.UTC(2024, 6, 3)),
  });
  try {
    // AMI: one month per premises, one delivery each, AMI_IN_FLIGHT deliveries (different premises) at once, as a
    // head-end's HTTP intake receives them from the utility's metering system.
    const month = Array.from({ length: INTERVALS }, (_, i) => ({ start: (JUNE + i * 900) as UtcSeconds, lengthS: 900, wh: 100 + (i % 50) }));
    let t = performance.now();
    let nextPremises = 0;
    await Promise.all(Array.from({ length: AMI_IN_FLIGHT }, async () => {
      while (nextPremises < AMI_PREMISES) await h.ami.intake(`AMI-${nextPremises++}`, month);
    }));
    console.log(`${name}.ami_intervals_per_s: ${Math.round((AMI_PREMISES * INTERVALS) / ((performance.now() - t) / 1000))} 1/s`);

    // Accounts with a month of PEV sessions on their ledger (what month close reads).
    await h.tariffs.put({ ...(await h.tariffs.get("pge-e-tou-c"))!, id: "bench-tou" });
    t = performance.now();
    await generateAccounts(h.db, ACCOUNTS);
    console.error(`# ${name}: ${ACCOUNTS} accounts × ${SESSIONS} sessions × ${SESSION_INTERVALS} intervals generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    t = performance.now();
    const r = await closeMonth(h.db, h.bills, "2024-06", { workers: MONTH_CLOSE_WORKERS, pageSize: 500, batchSize: MONTH_CLOSE_BATCH });
    const secs = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (r.closed !== ACCOUNTS) throw new Error(`month close billed ${r.closed} of ${ACCOUNTS}: ${JSON.stringify(r.failed.slice(0, 3))}`);
    await checkBill(h, ACCOUNTS - 1);
    console.log(`${name}.month_close_accounts_per_s: ${Math.round(ACCOUNTS / secs)} 1/s`);
    console.log(`${name}.month_close_peak_rss_mb: ${Math.round(peak / 1_048_576)} MB`);
  } finally {
    await h.close();
    await database.drop();
  }
}
