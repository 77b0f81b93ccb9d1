// Green Button download benchmarks, in process over a head-end with a year of data for one account: 15-minute AMI
// intervals (35,136) and a 2-hour PEV session every day (366 sessions, 2,928 intervals).
//   greenbutton.month_xml_ms / month_xml_kb   one month as ESPI XML: gather + write, and its size
//   greenbutton.year_xml_ms / year_xml_mb     366 days (the most one download may ask) as ESPI XML
//   greenbutton.year_csv_ms / year_csv_mb     the same as CSV
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../core/time/index.ts";
import { createHeadEnd } from "../cloud-sync/utility/head-end.ts";
import { accountUsage, espiFeed, usageCsv, usagePeriod } from "../cloud-sync/utility/greenbutton/index.ts";
import { makeVin, sessionReport, testTariff } from "../cloud-sync/utility/test-support.ts";
import type { AmiInterval } from "../cloud-sync/utility/metering/ami-store.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import type { CustomerId, HubId, PremisesId, Vin } from "../core/ids/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair } from "../cloud-sync/protocol/index.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-gb-bench-"));
const clock = new TestClock(Date.UTC(2024, 0, 1, 7)); // an hour before the data starts: the binding is granted then
const h = createHeadEnd({ dbPath: join(dir, "utility.db"), utilityId: "UTIL-BENCH", clock });
try {
  const vin = makeVin("1HGCM826GBX00001");
  h.tariffs.put(testTariff());
  h.enrollment.upsertProgram({
    id: "ev", name: "EV", description: "", tariffId: "test-tou", intervalS: 900, commWaitS: 60, guestCharging: "off",
    roamingAllowed: false, offlineRebinding: true, credentialTtlS: 366 * 86_400, enrollmentMethods: ["web"], active: true,
  });
  h.enrollment.upsertCustomer({ id: "CUST-1" as CustomerId, name: "Bench" });
  const { account } = h.enrollment.createAccount("ACCT-1", "CUST-1");
  h.enrollment.upsertPremises({ id: "PREM-1" as PremisesId, accountId: account.id, address: "1 Bench Road", defaultTariffId: "pge-e-tou-c" });
  h.enrollment.upsertPev({ vin, accountId: account.id });
  h.enrollment.enroll({ vin, premisesId: "PREM-1", programId: "ev" });
  h.enrollment.pairHub({ hubId: "HUB-1", premisesId: "PREM-1", publicKeyPem: exportPublicKeyPem(generateEd25519KeyPair().publicKey) });
  // Program settlement needs a binding the head-end granted (issue 13): one commissioning, valid for the year.
  const granted = await h.binding.validate({ v: 1, hubId: "HUB-1" as HubId, premisesId: "PREM-1" as PremisesId, vin: vin as Vin, path: "commissioning", pevProofOk: false, at: clock.now() });
  if (granted.status !== "enrolled") throw new Error(`binding: ${granted.status}`);

  const y0 = Date.UTC(2024, 0, 1, 8) / 1000; // 2024-01-01 00:00 PST
  const ami: AmiInterval[] = [];
  for (let s = y0; s < y0 + 366 * 86_400; s += 900) ami.push({ start: s as UtcSeconds, lengthS: 900, wh: 3000 + (s % 7) });
  h.ami.intake("PREM-1", ami);
  for (let d = 0; d < 366; d++) {
    const r = sessionReport({ sessionId: `S-${d}`, hubId: "HUB-1", premisesId: "PREM-1", utilityId: "UTIL-BENCH", vin, start: y0 + d * 86_400 + 3600, wh: [900, 1000, 1100, 1200, 1300, 1400, 1500, 1600] });
    const receipt = h.sessions.intake(r);
    if (receipt.outcome !== "accepted") throw new Error(`session ${d}: ${receipt.outcome} ${receipt.note ?? ""}`);
  }

  const time = <T>(f: () => T): [T, number] => { const t0 = performance.now(); const v = f(); return [v, performance.now() - t0]; };
  const req = (q: { month?: string; from?: string; to?: string }) => usagePeriod(q, h.timeZone, clock.now());
  const links = { resourceRoot: "https://utility.example/espi/1_1/resource", self: "https://utility.example/v1/customer/green-button" };
  time(() => espiFeed(accountUsage(h, account, req({ month: "2024-02" })), links)); // warm-up
  const [month, monthMs] = time(() => espiFeed(accountUsage(h, account, req({ month: "2024-06" })), links));
  const [year, yearMs] = time(() => espiFeed(accountUsage(h, account, req({ from: "2024-01-01", to: "2025-01-01" })), links));
  const [csv, csvMs] = time(() => usageCsv(accountUsage(h, account, req({ from: "2024-01-01", to: "2025-01-01" }))));
  console.log(`greenbutton.month_xml_ms: ${monthMs.toFixed(1)} ms`);
  console.log(`greenbutton.month_xml_kb: ${Math.round(month.length / 1024)} kB`);
  console.log(`greenbutton.year_xml_ms: ${Math.round(yearMs)} ms`);
  console.log(`greenbutton.year_xml_mb: ${(year.length / 1024 / 1024).toFixed(1)} MB`);
  console.log(`greenbutton.year_csv_ms: ${Math.round(csvMs)} ms`);
  console.log(`greenbutton.year_csv_mb: ${(csv.length / 1024 / 1024).toFixed(1)} MB`);
} finally {
  h.close();
  rmSync(dir, { recursive: true, force: true });
}
