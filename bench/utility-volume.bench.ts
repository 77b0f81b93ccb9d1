// Head-end volume benchmarks, in process, on SQLite and on PostgreSQL side by side (issue 15):
//   utility[.pg].ami_intervals_per_s         AMI intervals stored per second: 100 premises × a month of 15-min intervals,
//                                            one delivery per premises, 4 deliveries in flight (BENCH_AMI_IN_FLIGHT)
//                                            (COPY on PostgreSQL, multi-row upserts on SQLite)
//   utility[.pg].month_close_accounts_per_s  accounts billed per second by the paged, parallel month close; each account
//                                            has a month of PEV sessions (30 × 16 intervals) on its ledger
//   utility[.pg].month_close_peak_rss_mb     the process's peak RSS during the month close
// Scaled down from the 100,000 accounts to BENCH_ACCOUNTS (default 300) so a run takes seconds here; the
// per-account work does not grow with the number of accounts (docs/scale.md).
import { TestClock } from "../core/time/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import { testDatabase } from "../core/storage/testing/index.ts";
import { createHeadEnd } from "../cloud-sync/utility/head-end.ts";
import { closeMonth } from "../cloud-sync/utility/billing/month-close.ts";
import { REVENUE_ENERGY, customerLedger } from "../cloud-sync/utility/ledger/ledger.ts";
import type { Posting } from "../cloud-sync/utility/types.ts";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 300);
const AMI_PREMISES = Number(process.env.BENCH_AMI_PREMISES ?? 100);
const AMI_IN_FLIGHT = Number(process.env.BENCH_AMI_IN_FLIGHT ?? 4);
const JUNE = 1_717_200_000; // 2024-06-01 00:00 UTC
const INTERVALS = 2880; // 30 days of 15 minutes

for (const engine of ["sqlite", "postgres"] as const) {
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

    // Accounts with a month of PEV sessions on their ledger (what month close reads), written through the ledger.
    await h.tariffs.put({ ...(await h.tariffs.get("pge-e-tou-c"))!, id: "bench-tou" });
    for (let a = 0; a < ACCOUNTS; a++) {
      const id = `A${String(a).padStart(6, "0")}`;
      await h.enrollment.upsertCustomer({ id: `C${id}` as never, name: id });
      await h.enrollment.createAccount(id, `C${id}`);
      await h.enrollment.upsertPremises({ id: `P${id}` as never, accountId: id as never, address: "bench", defaultTariffId: "bench-tou" });
      await h.db.transaction(async () => {
        for (let d = 0; d < 30; d++) {
          const start = JUNE + d * 86_400 + 3600;
          const postings: Posting[] = Array.from({ length: 16 }, (_, i) => ({
            ledgerAccount: customerLedger(id), amountNano: 300_000_000 + i, energyWh: 1500, period: "Off-Peak", intervalStart: (start + i * 900) as UtcSeconds,
            lineKind: "pev-debit" as const, tariffId: "bench-tou", priceMicroUsdPerKWh: 200_000,
          }));
          const sum = postings.reduce((x, p) => x + p.amountNano, 0);
          await h.ledger.post({ kind: "session", premisesId: `P${id}`, sessionId: `S-${id}-${d}`, revision: 1, at: (start + 86_000) as UtcSeconds, memo: "bench",
            postings: [...postings, { ledgerAccount: REVENUE_ENERGY, amountNano: -sum, energyWh: 0, period: "", intervalStart: start as UtcSeconds, lineKind: "contra", tariffId: "bench-tou", priceMicroUsdPerKWh: null }] });
        }
      });
    }
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    t = performance.now();
    const r = await closeMonth(h.db, h.bills, "2024-06", { workers: 4, pageSize: 500 });
    const secs = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (r.closed !== ACCOUNTS) throw new Error(`month close billed ${r.closed} of ${ACCOUNTS}: ${JSON.stringify(r.failed.slice(0, 3))}`);
    console.log(`${name}.month_close_accounts_per_s: ${Math.round(ACCOUNTS / secs)} 1/s`);
    console.log(`${name}.month_close_peak_rss_mb: ${Math.round(peak / 1_048_576)} MB`);
  } finally {
    await h.close();
    await database.drop();
  }
}
