// Green Button Download My Data through the real S4 customer API (FR-35): a head-end on a loopback port, households
// enrolled by the operator API, AMI intervals on the AMI channel, sessions reported by hubs over signed HTTP. The
// ESPI XML is judged by xmllint against the published ESPI 4.0 XSD and Atom schema (schema/), then decoded by
// following its Atom links as a Green Button client would, and its values checked against the ledger and the inputs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { parse as parseCsv } from "csv-parse/sync";
import { TestClock } from "../../../core/time/index.ts";
import type { ErrorBody, SessionReport } from "../../protocol/index.ts";
import {
  bindPev, defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility, type TestHub, type TestUtility,
} from "../test-support.ts";

const SCHEMA = join(import.meta.dir, "schema", "greenbutton.xsd");
const XMLLINT = Bun.which("xmllint");

const VIN_A = makeVin("1HGCM826GBA00001");
const VIN_B = makeVin("1HGCM826GBB00002");
const JUNE_START = Date.UTC(2024, 5, 1, 7) / 1000; // 2024-06-01 00:00 PDT
const JULY_START = Date.UTC(2024, 6, 1, 7) / 1000; // 2024-07-01 00:00 PDT
const AMI_FROM = JUNE_START - 3 * 900; // three May intervals, to see the month cut
const AMI_TO = JULY_START + 8 * 900;
const amiWhA = (i: number) => 2500 + (i % 10) * 10;
const AMI_WH_B = 2777; // distinctive: must never show in account A's download

let t: TestUtility;
let hubA: TestHub, hubB: TestHub;
let tokenA = "", tokenB = "";

// Sessions (test-tou: Peak 0.50 $/kWh 16:00-21:00 local, Off-Peak 0.20; test-flat: 0.30 regular rate).
const S1 = { start: Date.UTC(2024, 5, 6, 3) / 1000, wh: [1000, 1200, 1100, 900, 1500, 1500, 1400, 800] }; // 20:00-22:00 PDT, A at home
const S2 = { start: Date.UTC(2024, 5, 12, 17) / 1000, wh: [600, 700, 800, 900] }; // fallback at A's premises, regular rate
const S2_REV2 = [600, 700, 800, 950]; // the hub's correction of S2
const S3 = { start: Date.UTC(2024, 5, 15, 18) / 1000, wh: [500, 500, 500, 500] }; // A's PEV as a guest at B, guest pays
const S4 = { start: Date.UTC(2024, 6, 1, 6) / 1000, wh: [300, 310, 320, 330, 340, 350, 360, 370] }; // June 30 23:00 PDT, across the month end
const S5 = { start: Date.UTC(2024, 5, 20, 10) / 1000, wh: [2000, 2000] }; // B at home

/** Expected ESPI cost (10⁻⁵ $) per interval: Wh × $/kWh × 100 = Wh × (price in 10⁻⁵ $ per Wh). */
const PEAK = 50, OFF = 20, FLAT = 30;

// uvu reports a failing before-hook without its error: print it, then fail every test.
test.before(async () => {
  try {
    await setup();
  } catch (e) {
    console.error("Green Button test setup failed:", e);
    throw e;
  }
});

async function setup(): Promise<void> {
  t = await testUtility(); // clock: 2024-06-03 07:00 UTC
  await defineTestProgram(t, "ev-gb", { guestCharging: "guest-pays" });
  hubA = newHub(t.utility.url, "HUB-GA", t.clock);
  hubB = newHub(t.utility.url, "HUB-GB", t.clock);
  tokenA = (await enrollHousehold(t, "A", { vin: VIN_A, programId: "ev-gb", hub: hubA })).customerToken;
  tokenB = (await enrollHousehold(t, "B", { vin: VIN_B, programId: "ev-gb", hub: hubB })).customerToken;
  // A's PEV plugs in at B's on June 15: B's hub asks the head-end, which grants a guest binding (guest pays).
  (t.clock as TestClock).advance(S3.start * 1000 - t.clock.nowMs());
  assert.is((await bindPev(t, hubB, "PREM-B", VIN_A, { sessionId: "GB-S3" })).status, "guest");
  (t.clock as TestClock).advance(Date.UTC(2024, 6, 2) - t.clock.nowMs()); // the hubs report at the start of July

  for (const [premisesId, wh] of [["PREM-A", amiWhA], ["PREM-B", () => AMI_WH_B]] as const) {
    const intervals = [];
    for (let s = AMI_FROM, i = 0; s < AMI_TO; s += 900, i++) intervals.push({ start: s, lengthS: 900, wh: wh(i), quality: "ok" });
    const r = await t.op("POST", "/v1/ami/intervals", { v: 1, utilityId: "UTIL-A", premisesId, meterId: `M-${premisesId}`, source: "ami", intervals });
    assert.is(r.status, 200, JSON.stringify(r.body));
  }
  const send = async (hub: TestHub, r: SessionReport) => assert.is((await hub.client.sendSessionReport(r)).outcome, "accepted", r.sessionId);
  const s1 = sessionReport({ sessionId: "GB-S1", hubId: "HUB-GA", premisesId: "PREM-A", vin: VIN_A, ...S1 });
  s1.intervals[2]!.quality = "estimated"; // the hub bridged a gap in the EUMD's readings
  await send(hubA, s1);
  await send(hubA, sessionReport({ sessionId: "GB-S2", hubId: "HUB-GA", premisesId: "PREM-A", vin: null, rate: "default", ...S2 }));
  await send(hubA, sessionReport({ sessionId: "GB-S2", revision: 2, hubId: "HUB-GA", premisesId: "PREM-A", vin: null, rate: "default", start: S2.start, wh: S2_REV2 }));
  await send(hubB, sessionReport({ sessionId: "GB-S3", hubId: "HUB-GB", premisesId: "PREM-B", vin: VIN_A, status: "guest", ...S3 }));
  await send(hubA, sessionReport({ sessionId: "GB-S4", hubId: "HUB-GA", premisesId: "PREM-A", vin: VIN_A, ...S4 }));
  await send(hubB, sessionReport({ sessionId: "GB-S5", hubId: "HUB-GB", premisesId: "PREM-B", vin: VIN_B, ...S5 }));
}
test.after(async () => { await t.close(); });

const get = (path: string, token: string | null) =>
  fetch(`${t.utility.url}/v1/customer${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

/** xmllint with the ESPI wrapper schema: the independent judge. null = not installed (skipped outside CI only). */
function xmllint(xml: string): { ok: boolean; stderr: string } | null {
  if (!XMLLINT) {
    if (process.env.CI === "true") assert.unreachable("xmllint is missing (Debian package libxml2-utils): CI must validate Green Button XML");
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "offpeak-gb-"));
  try {
    const file = join(dir, "feed.xml");
    writeFileSync(file, xml);
    const r = spawnSync(XMLLINT, ["--noout", "--schema", SCHEMA, file], { encoding: "utf8" });
    return { ok: r.status === 0 && /validates/.test(r.stderr), stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let skipNoted = false;
function validateWithXsd(xml: string): void {
  const r = xmllint(xml);
  if (r === null) {
    if (!skipNoted) console.log("SKIPPED: xmllint not installed (apt-get install libxml2-utils): Green Button XML not checked against the ESPI XSD");
    skipNoted = true;
    return;
  }
  assert.ok(r.ok, `xmllint refused the feed:\n${r.stderr.slice(0, 3000)}`);
}

// ---- a Green Button client's reading of the feed: follow the links, decode the ESPI codes ----
interface Reading { start: number; duration: number; value: number; cost: number | null; quality: number | null }
interface DecodedPoint { key: string; title: string; roleFlags: string; readingTypes: Record<string, number>[]; readings: Reading[] }
interface Decoded { points: Map<string, DecodedPoint>; localTime: Record<string, string> }

type X = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ["entry", "link", "IntervalReading", "ReadingQuality"].includes(name) });

function decode(xml: string): Decoded {
  const feed = (parser.parse(xml) as { feed: { entry: X[] } }).feed;
  const linkOf = (e: X, rel: string) => (e.link as X[]).filter((l) => l["@_rel"] === rel).map((l) => l["@_href"] as string);
  const self = (e: X) => linkOf(e, "self")[0]!;
  const content = (e: X, kind: string) => (e.content as X | undefined)?.[kind] as X | undefined;
  const entries = feed.entry;
  const points = new Map<string, DecodedPoint>();
  let localTime: Record<string, string> = {};
  for (const e of entries) {
    const lt = content(e, "LocalTimeParameters");
    if (lt) localTime = Object.fromEntries(Object.entries(lt).filter(([k]) => !k.startsWith("@_"))) as Record<string, string>;
  }
  for (const e of entries) {
    const up = content(e, "UsagePoint");
    if (!up) continue;
    const upHref = self(e);
    assert.ok(linkOf(e, "related").some((h) => entries.some((x) => self(x) === h && content(x, "LocalTimeParameters"))), "UsagePoint links its LocalTimeParameters");
    const point: DecodedPoint = { key: decodeURIComponent(upHref.split("/").pop()!), title: String(e.title), roleFlags: String(up.roleFlags), readingTypes: [], readings: [] };
    for (const mr of entries.filter((x) => content(x, "MeterReading") !== undefined && self(x).startsWith(`${upHref}/MeterReading/`))) {
      const rtHref = linkOf(mr, "related").find((h) => entries.some((x) => self(x) === h && content(x, "ReadingType")))!;
      const rt = content(entries.find((x) => self(x) === rtHref)!, "ReadingType")!;
      point.readingTypes.push(Object.fromEntries(Object.entries(rt).filter(([k]) => !k.startsWith("@_")).map(([k, v]) => [k, Number(v)])));
      for (const ib of entries.filter((x) => content(x, "IntervalBlock") !== undefined && self(x).startsWith(`${self(mr)}/IntervalBlock/`))) {
        const block = content(ib, "IntervalBlock")!;
        const interval = block.interval as X;
        const [bStart, bDur] = [Number(interval.start), Number(interval.duration)];
        for (const r of (block.IntervalReading as X[] | undefined) ?? []) {
          const tp = r.timePeriod as X;
          const reading: Reading = {
            start: Number(tp.start), duration: Number(tp.duration), value: Number(r.value),
            cost: r.cost === undefined ? null : Number(r.cost),
            quality: r.ReadingQuality === undefined ? null : Number(((r.ReadingQuality as X[])[0]!).quality),
          };
          assert.ok(reading.start >= bStart && reading.start < bStart + bDur, "a reading lies inside its IntervalBlock");
          assert.is(reading.duration, Number(rt.intervalLength), "readings have their ReadingType's interval length");
          point.readings.push(reading);
        }
      }
    }
    point.readings.sort((a, b) => a.start - b.start);
    points.set(point.key, point);
  }
  return { points, localTime };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const inRange = (from: number, to: number) => (r: { start: number }) => r.start >= from && r.start < to;
function amiExpected(from: number, to: number, wh: (i: number) => number): number {
  let total = 0;
  for (let s = AMI_FROM, i = 0; s < AMI_TO; s += 900, i++) if (s >= from && s < to) total += wh(i);
  return total;
}

let juneXmlA = "";

test("FR-35: a customer downloads a month of interval usage as Green Button XML that the ESPI XSD accepts", async () => {
  const res = await get("/green-button?month=2024-06", tokenA);
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/atom\+xml/);
  assert.match(res.headers.get("content-disposition") ?? "", /greenbutton-ACCT-A-2024-06\.xml/);
  assert.match(res.headers.get("cache-control") ?? "", /no-store/);
  juneXmlA = await res.text();
  validateWithXsd(juneXmlA);
  // The judge is not blind: the same feed with a ReadingType out of the schema's order, or a value with a unit, fails.
  const misordered = juneXmlA.replace("<kind>12</kind>\n        <powerOfTenMultiplier>", "<powerOfTenMultiplier>").replace("<uom>72</uom>", "<uom>72</uom><kind>12</kind>");
  const withUnit = juneXmlA.replace(/<value>(\d+)<\/value>/, "<value>$1 Wh</value>");
  for (const broken of [misordered, withUnit]) {
    assert.is.not(broken, juneXmlA);
    const r = xmllint(broken);
    if (r) assert.not.ok(r.ok, "xmllint accepted a feed the ESPI XSD forbids");
  }

  const d = decode(juneXmlA);
  assert.equal([...d.points.keys()].sort(), ["PEV", "PREM-A"], "the premises (AMI) and the PEV are separate UsagePoints");
  assert.equal(d.localTime, { dstEndRule: "B40E2000", dstOffset: "3600", dstStartRule: "360E2000", tzOffset: "-28800" },
    "America/Los_Angeles: UTC−8, DST from the second Sunday of March to the first Sunday of November at 02:00");
  const premises = d.points.get("PREM-A")!, pev = d.points.get("PEV")!;
  assert.is(premises.roleFlags, "0002");
  assert.is(pev.roleFlags, "0014");
  for (const p of [premises, pev]) {
    assert.equal(p.readingTypes.map(({ currency: _c, ...rt }) => rt), [{
      accumulationBehaviour: 4, commodity: 1, dataQualifier: 12, flowDirection: 1, intervalLength: 900, kind: 12,
      powerOfTenMultiplier: 0, timeAttribute: 0, uom: 72,
    }]);
    assert.ok(p.readings.every(inRange(JUNE_START, JULY_START)), "only June (local) readings: [start, end)");
  }
  assert.is(pev.readingTypes[0]!.currency, 840, "PEV costs are in USD");
  assert.is(premises.readingTypes[0]!.currency, undefined, "the head-end charges nothing for the premises' own usage");
});

test("FR-35: the decoded readings are the account's: PEV Wh and cost equal the ledger's month, AMI equals what the meter sent", async () => {
  const d = decode(juneXmlA);
  const premises = d.points.get("PREM-A")!, pev = d.points.get("PEV")!;
  assert.is(sum(premises.readings.map((r) => r.value)), amiExpected(JUNE_START, JULY_START, amiWhA));
  assert.is(premises.readings.length, 30 * 96);
  assert.ok(premises.readings.every((r) => r.cost === null && r.quality === null));

  // PEV: S1 (home, program), S2 revision 2 (fallback, regular rate; revision 1 reversed), S3 (A's PEV as a guest, A
  // pays), the June part of S4. Not B's S5.
  const expected: Reading[] = [
    ...S1.wh.map((wh, i) => ({ start: S1.start + i * 900, duration: 900, value: wh, cost: wh * (i < 4 ? PEAK : OFF), quality: i === 2 ? 9 : null })),
    ...S2_REV2.map((wh, i) => ({ start: S2.start + i * 900, duration: 900, value: wh, cost: wh * FLAT, quality: null })),
    ...S3.wh.map((wh, i) => ({ start: S3.start + i * 900, duration: 900, value: wh, cost: wh * OFF, quality: null })),
    ...S4.wh.slice(0, 4).map((wh, i) => ({ start: S4.start + i * 900, duration: 900, value: wh, cost: wh * OFF, quality: null })),
  ];
  assert.equal(pev.readings, expected);

  // The same month as the ledger holds it (GET /usage groups the account's postings of June by bill line).
  const usage = (await (await get("/usage?month=2024-06", tokenA)).json()) as { lines: { kind: string; wh: number; estimatedCents: number }[] };
  const debits = usage.lines.filter((l) => ["pev-debit", "default-rate-debit", "guest-debit"].includes(l.kind));
  assert.is(sum(pev.readings.map((r) => r.value)), sum(debits.map((l) => l.wh)), "Σ IntervalReading.value = the account's PEV Wh for June");
  assert.is(Math.round(sum(pev.readings.map((r) => r.cost!)) / 1000), sum(debits.map((l) => l.estimatedCents)), "Σ cost = the June charges");
  assert.ok(!usage.lines.some((l) => l.kind === "guest-credit"), "A hosted no guest");
});

test("FR-35: another account's data never shows; a missing or wrong token is 401, another account named is 404", async () => {
  assert.not.match(juneXmlA, /PREM-B|B Test Street|HUB-GB/);
  for (const vin of [VIN_A, VIN_B]) assert.not.ok(juneXmlA.includes(vin), "no VIN in a download");
  const a = decode(juneXmlA);
  assert.not.ok([...a.points.values()].some((p) => p.readings.some((r) => r.value === AMI_WH_B || r.value === 2000)), "none of B's AMI or B's own charging");

  const resB = await get("/green-button?month=2024-06", tokenB);
  assert.is(resB.status, 200);
  const xmlB = await resB.text();
  validateWithXsd(xmlB);
  assert.not.match(xmlB, /PREM-A|A Test Street|HUB-GA/);
  const b = decode(xmlB);
  assert.equal([...b.points.keys()].sort(), ["PEV", "PREM-B"]);
  // B hosted A's PEV (guest pays): that energy is in B's premises meter, and B is credited on its bill, but it is
  // A's charging: B's PEV usage point holds only B's own session.
  assert.equal(b.points.get("PEV")!.readings.map((r) => [r.start, r.value]), S5.wh.map((wh, i) => [S5.start + i * 900, wh]));
  assert.is(sum(b.points.get("PREM-B")!.readings.map((r) => r.value)), 30 * 96 * AMI_WH_B);

  for (const token of [null, "nope", `${tokenA}x`]) {
    for (const path of ["/green-button?month=2024-06", "/green-button.csv?month=2024-06"]) {
      const res = await get(path, token);
      assert.is(res.status, 401, `${path} with ${token}`);
      const body = (await res.json()) as ErrorBody;
      assert.is(body.error.path, "headers.authorization");
    }
  }
  // B asks for A's account by name: the same 404 as for an account that does not exist.
  const other = await get("/green-button?month=2024-06&account=ACCT-A", tokenB);
  const none = await get("/green-button?month=2024-06&account=ACCT-NONE", tokenB);
  assert.is(other.status, 404);
  assert.is(none.status, 404);
  const [eo, en] = [(await other.json()) as ErrorBody, (await none.json()) as ErrorBody];
  assert.equal([eo.error.code, eo.error.path], [en.error.code, en.error.path]);
  assert.equal([eo.error.code, eo.error.path], ["not-found", "query.account"]);
  assert.is((await get("/green-button.csv?month=2024-06&account=ACCT-A", tokenB)).status, 404);
  assert.is((await get("/green-button?month=2024-06&account=ACCT-A", tokenA)).status, 200, "naming one's own account is fine");
});

test("FR-35: the CSV carries exactly the readings of the XML (round trip)", async () => {
  const res = await get("/green-button.csv?month=2024-06", tokenA);
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
  const rows = parseCsv(await res.text(), { columns: true }) as Record<string, string>[];
  assert.equal(Object.keys(rows[0]!), ["usage_point", "kind", "start_utc_s", "start_local", "duration_s", "wh", "cost_usd", "quality_code"]);
  const d = decode(juneXmlA);
  for (const [key, point] of d.points) {
    const fromCsv = rows.filter((r) => r.usage_point === key).map((r): Reading => ({
      start: Number(r.start_utc_s), duration: Number(r.duration_s), value: Number(r.wh),
      cost: r.cost_usd === "" ? null : Math.round(Number(r.cost_usd) * 100_000), quality: r.quality_code === "" ? null : Number(r.quality_code),
    }));
    assert.equal(fromCsv, point.readings, key);
  }
  const first = rows.find((r) => r.usage_point === "PEV")!;
  assert.equal([first.start_local, first.cost_usd, first.kind], ["2024-06-05T20:00:00-07:00", "0.50000", "pev"]);
  assert.ok(rows.every((r) => Date.parse(r.start_local!) / 1000 === Number(r.start_utc_s)), "local ISO-8601 and UTC seconds agree");
});

test("FR-35: a date range is [from, to) in local days; the month split of a session adds up to the whole session", async () => {
  const range = await get("/green-button?from=2024-06-30&to=2024-07-02", tokenA);
  assert.is(range.status, 200);
  const xml = await range.text();
  validateWithXsd(xml);
  const pev = decode(xml).points.get("PEV")!;
  assert.equal(pev.readings.map((r) => r.value), S4.wh, "the whole session across midnight");
  const july = decode(await (await get("/green-button?month=2024-07", tokenA)).text()).points.get("PEV")!;
  const june = decode(juneXmlA).points.get("PEV")!;
  assert.is(sum(june.readings.filter(inRange(S4.start, S4.start + 8 * 900)).map((r) => r.value)) + sum(july.readings.map((r) => r.value)), sum(S4.wh));
  const prem = decode(xml).points.get("PREM-A")!;
  assert.is(sum(prem.readings.map((r) => r.value)), amiExpected(Date.UTC(2024, 5, 30, 7) / 1000, Date.UTC(2024, 6, 2, 7) / 1000, amiWhA));
});

test("FR-35: a bad period query is a 400 naming the parameter", async () => {
  const cases: [string, string][] = [
    ["month=2024-13", "query.month"], ["month=June", "query.month"], ["month=2024-06&from=2024-06-01&to=2024-06-02", "query.month"],
    ["from=2024-06-01", "query.to"], ["to=2024-06-01", "query.from"], ["from=2024-06-31&to=2024-07-01", "query.from"],
    ["from=2024-06-10&to=2024-06-10", "query.to"], ["from=2024-06-10&to=2024-06-01", "query.to"], ["from=2023-01-01&to=2024-06-01", "query.to"],
  ];
  for (const [q, path] of cases) {
    for (const route of ["/green-button", "/green-button.csv"]) {
      const res = await get(`${route}?${q}`, tokenA);
      assert.is(res.status, 400, `${route}?${q}`);
      const body = (await res.json()) as ErrorBody;
      assert.is(body.error.path, path, `${route}?${q}: ${body.error.message}`);
    }
  }
});

// Last: it moves PREM-B to a new account.
test("FR-35: a premises that changes hands: the new account sees its AMI from the takeover on, never the earlier occupant's", async () => {
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must("POST", "/v1/operator/customers", { id: "CUST-C", name: "Customer C" });
  const tokenC = (await must("POST", "/v1/operator/accounts", { id: "ACCT-C", customerId: "CUST-C" })).customerToken as string;
  await must("POST", "/v1/operator/premises", { id: "PREM-B", accountId: "ACCT-C", address: "B Test Street", defaultTariffId: "test-flat" });
  const takeover = t.clock.now(); // 2024-07-02 00:00 UTC
  const after = Array.from({ length: 8 }, (_, i) => ({ start: takeover + i * 900, lengthS: 900, wh: 1234, quality: "ok" }));
  await must("POST", "/v1/ami/intervals", { v: 1, utilityId: "UTIL-A", premisesId: "PREM-B", meterId: "M-PREM-B", source: "ami", intervals: after });

  const xmlC = await (await get("/green-button?from=2024-06-01&to=2024-07-03", tokenC)).text();
  validateWithXsd(xmlC);
  const c = decode(xmlC);
  assert.equal(c.points.get("PREM-B")!.readings.map((r) => [r.start, r.value]), after.map((i) => [i.start, 1234]), "only the AMI since the takeover");
  assert.equal(c.points.get("PEV")!.readings, [], "nobody charged on C's account");
  const b = decode(await (await get("/green-button?from=2024-06-01&to=2024-07-03", tokenB)).text());
  assert.equal([...b.points.keys()], ["PEV"], "B no longer holds PREM-B");
  assert.is(sum(b.points.get("PEV")!.readings.map((r) => r.value)), sum(S5.wh), "B's own charging stays B's");
});

test.run();
