// A whole hub process with [zigbee] configured, on the real herdsman Controller driven through the in-process adapter
// double (drivers/zigbee/testing): an SE EVSE that is a Price/DRLC/Messaging client, a Metering server (the EUMD) and
// a tunnel endpoint for the PEV link. We check what the hub sends it, byte for byte through herdsman's codec.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setLogger } from "zigbee-herdsman";
import { TestClock } from "../../core/time/index.ts";
import { openPevLink, type ByteChannel, type SimulatedPevLink } from "../../drivers/pevlink/index.ts";
import { buildClientCommand, DEVICE_CLASS_EV, DRLC, DRLC_CLUSTER_ID, MESSAGING_CLUSTER_ID, METERING_CLUSTER_ID, parsePublishPrice, parseSeFrame, PEV_LINK_TUNNEL_PROTOCOL, PRICE, PRICE_CLUSTER_ID, seAmountFromMicroUsd, TUNNEL_CHUNK_BYTES, TUNNELING_CLUSTER_ID, toZigbeeUtc } from "../../drivers/zigbee/index.ts";
import { AdapterDouble, METER_KWH_REPORT, meteringReportFrame, seDeviceDbLines, type SentFrame } from "../../drivers/zigbee/testing/adapter-double.ts";
import { parseConfig } from "../config/load.ts";
import { VIN } from "../engine/harness.test-support.ts";
import { startHubProcess, type RunningHubProcess } from "./hub-process.ts";

const quiet = () => {};
setLogger({ debug: quiet, info: quiet, warning: quiet, error: quiet });

const EVSE = "0x00124b0000000aaa";
const EVSE_NWK = 0x1234;
// 15:50 in California on a June weekday: PG&E E-TOU-C's 4-9 pm peak starts ten minutes later.
const START_MS = Date.UTC(2024, 5, 3, 22, 50, 0);

let dir = "";
let h: RunningHubProcess;
const clock = new TestClock(START_MS);
const adapter = new AdapterDouble(15);
const log: string[] = [];
let tsn = 1;

/** Cluster-specific commands the hub sent the EVSE (herdsman's default responses and attribute reads are not ours). */
const command = (clusterId: number) => (f: SentFrame) => f.clusterId === clusterId && f.ieeeAddr === EVSE && (f.data[0]! & 0x03) === 0x01;
const fromEvse = (clusterId: number, frame: Buffer) => adapter.receive(EVSE_NWK, 1, clusterId, frame);
const run = async (ms: number, stepMs = 1000) => { await clock.advanceAsync(ms, stepMs); await h.hub.whenIdle(); };
const settle = () => new Promise((r) => setTimeout(r, 30));

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  // The network as a coordinator would have it after the EVSE joined: herdsman's database under <data_dir>/zigbee.
  mkdirSync(join(dir, "zigbee"));
  writeFileSync(join(dir, "zigbee", "database.db"), seDeviceDbLines([{
    id: 2, ieeeAddr: EVSE, nwkAddr: EVSE_NWK, modelId: "SE EVSE", endpoint: 1,
    inClusters: [METERING_CLUSTER_ID, TUNNELING_CLUSTER_ID], outClusters: [PRICE_CLUSTER_ID, DRLC_CLUSTER_ID, MESSAGING_CLUSTER_ID],
  }]));
  // A ready "build" so the dashboard serves it instead of building the UI in this test.
  mkdirSync(join(dir, "ui"));
  writeFileSync(join(dir, "ui", "index.html"), "<!doctype html><title>test</title>");
  const config = parseConfig({
    hub: { port: 0, data_dir: dir },
    pevlink: { port: 0 },
    devices: { charger: { driver: "none" }, eumd: { driver: "zigbee", ieee: EVSE }, premises_meter: { driver: "none" } },
    zigbee: { path: "tcp://127.0.0.1:1", adapter: "zstack", provider_id: 7 },
  }, "test");
  h = await startHubProcess(config, { sync: false, dashboard: true, clock, log: (l) => log.push(l), zigbeeAdapterForTests: adapter, uiDistDir: join(dir, "ui") });
});

test.after(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("FR-35: the tariff price in force is published to SE devices when the hub starts, and GetCurrentPrice is answered from it", async () => {
  const now = h.hub.prices()!.current;
  const p = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await adapter.nextSent(command(PRICE_CLUSTER_ID))).data).payload);
  const amount = seAmountFromMicroUsd(now.priceMicroUsdPerKWh);
  assert.equal([p.providerId, p.rateLabel, p.priceTier, p.price, p.priceTrailingDigit], [7, now.periodName.slice(0, 12), now.period + 1, amount.price, amount.trailingDigits]);
  assert.is(p.durationMin, Math.ceil((now.until - clock.now()) / 60), "lasts until the next period change");
  const tariff = h.hub.schedule!.tariffNow();
  const periods = new Set(tariff.versions.map((v) => v.energyratestructure.length));
  assert.is(periods.size, 1, "the test tariff has one period structure");
  assert.is(p.numberOfPriceTiers, [...periods][0], "Number of Price Tiers is the tariff's period count, whichever tier is in force");
  fromEvse(PRICE_CLUSTER_ID, buildClientCommand(PRICE, "getCurrentPrice", { commandOptions: 0 }, 0x51));
  const answer = parseSeFrame(PRICE_CLUSTER_ID, (await adapter.nextSent(command(PRICE_CLUSTER_ID))).data);
  assert.equal([answer.command, answer.tsn, parsePublishPrice(answer.payload).price], ["publishPrice", 0x51, amount.price]);
  await settle();
  assert.ok(log.some((l) => l.startsWith("zigbee: price published")), log.join("\n"));
});

test("FR-20: an SE metering device on the Zigbee network serves as the EUMD through the same meter port as Modbus", async () => {
  fromEvse(METERING_CLUSTER_ID, meteringReportFrame(METER_KWH_REPORT, tsn++));
  await settle();
  await run(3000);
  assert.is(h.hub.health.eumd.online, true, h.hub.health.eumd.lastError ?? "");
  assert.is(h.hub.snapshot().eumd, "present");
  assert.equal(h.hub.snapshot().eumdLast?.wh, 12_345_678, "12345.678 kWh register = 12345678 Wh");
});

/** The vehicle's end of an SE tunnel: its writes become TransferData to the hub, the hub's TransferData come back. */
function vehicleEnd(tunnelId: number): ByteChannel & { stop(): void } {
  const dataCbs: Array<(b: Uint8Array) => void> = [];
  let running = true;
  void (async () => {
    while (running) {
      const f = await adapter.nextSent((x) => command(TUNNELING_CLUSTER_ID)(x) && parseSeFrame(TUNNELING_CLUSTER_ID, x.data).command === "transferData", 300).catch(() => undefined);
      if (f && running) for (const cb of dataCbs) cb(new Uint8Array(parseSeFrame(TUNNELING_CLUSTER_ID, f.data).payload.data as Buffer));
    }
  })();
  return {
    label: "vehicle tunnel end",
    write(bytes) {
      for (let off = 0; off < bytes.length; off += TUNNEL_CHUNK_BYTES) {
        fromEvse(TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "transferData", { tunnelId, data: Buffer.from(bytes.subarray(off, off + TUNNEL_CHUNK_BYTES)) }, tsn++ & 0xff, true));
      }
    },
    onData: (cb) => void dataCbs.push(cb),
    onClose: () => {},
    close() { running = false; },
    stop() { running = false; },
  };
}

test("FR-09, FR-17, FR-24: a PEV speaking over the SE tunnel reaches the engine, and the binding result is shown with DisplayMessage", async () => {
  fromEvse(TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "requestTunnel", { protocolId: PEV_LINK_TUNNEL_PROTOCOL, manufacturerCode: 0, flowControl: 0, maxIncomingTransferSize: 1500 }, tsn++, true));
  const rsp = parseSeFrame(TUNNELING_CLUSTER_ID, (await adapter.nextSent((f) => command(TUNNELING_CLUSTER_ID)(f) && parseSeFrame(TUNNELING_CLUSTER_ID, f.data).command === "requestTunnelRsp")).data);
  assert.is(rsp.payload.status, 0);
  const end = vehicleEnd(rsp.payload.tunnelId as number);
  let pev: SimulatedPevLink | undefined;
  try {
    pev = await openPevLink(end, { vin: VIN, clock });
    await h.hub.dispatch({ type: "evse.state", state: "B" }); // On-Plug (this hub has no charger to poll)
    await run(1000);
    assert.is(h.hub.snapshot().session?.vin, VIN, "the hello that came over the Zigbee tunnel is the session's PEV ID");
    // No utility link in this hub: the window closes and the session falls back; the customer is told on the EVSE.
    await run(62_000, 2000);
    const s = h.hub.snapshot().session!;
    assert.is(s.phase, "fallback");
    const msg = parseSeFrame(MESSAGING_CLUSTER_ID, (await adapter.nextSent(command(MESSAGING_CLUSTER_ID))).data);
    assert.is(msg.command, "displayMessage");
    assert.match(msg.payload.message as string, /^No program session: /);
    assert.is((msg.payload.messageControl as number) & 0x80, 0x80, "a fallback asks the customer to confirm");
    // The established case through the same Display port, as the engine's "bound" step calls it.
    h.zigbee!.display.show("Charging session established: EV Time-of-Use.", { established: true, programName: "EV Time-of-Use" });
    const ok = parseSeFrame(MESSAGING_CLUSTER_ID, (await adapter.nextSent(command(MESSAGING_CLUSTER_ID))).data);
    assert.is(ok.payload.message, "Charging session confirmed: EV Time-of-Use");
  } finally {
    pev?.close();
    end.stop();
    await h.hub.dispatch({ type: "evse.state", state: "A" });
  }
});

test("FR-35: a utility demand-response event goes to the EV device class, and the EV's ReportEventStatus is in the hub log", async () => {
  const now = clock.now();
  await h.hub.dispatch({ type: "dr.event", id: "DR-7", action: "curtail", limitA: 16, startsAt: now, endsAt: (now + 3600) as typeof now, optOutAllowed: true });
  const lce = parseSeFrame(DRLC_CLUSTER_ID, (await adapter.nextSent(command(DRLC_CLUSTER_ID))).data);
  assert.equal([lce.command, lce.payload.deviceClass, lce.payload.durationInMinutes, lce.payload.averageLoadAdjustmentPercentage, lce.payload.startTime], ["loadControlEvent", DEVICE_CLASS_EV, 60, -50, 0]);
  const issuer = lce.payload.issuerEventId as number;
  fromEvse(DRLC_CLUSTER_ID, buildClientCommand(DRLC, "reportEventStatus", {
    issuerEventId: issuer, eventStatus: 0x02, eventStatusTime: toZigbeeUtc(now), criticalityLevelApplied: 4, coolingTemperatureSetPointApplied: Number.NaN,
    heatingTemperatureSetPointApplied: Number.NaN, averageLoadAdjustmentPercentageApplied: -50, dutyCycleApplied: Number.NaN, eventControl: 0, signatureType: 0,
  }, tsn++ & 0xff));
  await settle();
  assert.ok(log.some((l) => l.includes(`ReportEventStatus for DR event DR-7 (issuer event ${issuer}): started`) && l.includes("-50%")), log.filter((l) => l.includes("zigbee")).join("\n"));
  await run(2000); // the engine starts the event: it must not be sent twice
  await h.hub.dispatch({ type: "dr.cancel", id: "DR-7" });
  const cancel = parseSeFrame(DRLC_CLUSTER_ID, (await adapter.nextSent(command(DRLC_CLUSTER_ID))).data);
  assert.equal([cancel.command, cancel.payload.issuerEventId, cancel.payload.deviceClass], ["cancelLoadControlEvent", issuer, DEVICE_CLASS_EV]);
});

test("FR-35: a tariff period change publishes the new price (checked every minute of clock time)", async () => {
  const before = h.hub.prices()!.current;
  await run((before.until - clock.now() + 61) * 1000, 10_000);
  const after = h.hub.prices()!.current;
  assert.is.not(after.period, before.period, "the tariff moved to another period");
  let p = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await adapter.nextSent(command(PRICE_CLUSTER_ID))).data).payload);
  // Answers to earlier requests may be queued first; the last publish is the one in force.
  while (adapter.sent.some(command(PRICE_CLUSTER_ID))) p = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await adapter.nextSent(command(PRICE_CLUSTER_ID))).data).payload);
  assert.equal([p.priceTier, p.rateLabel, p.price], [after.period + 1, after.periodName.slice(0, 12), seAmountFromMicroUsd(after.priceMicroUsdPerKWh).price]);
});

test("FR-35: the Devices API lists the Zigbee network with last-seen times; permit-join is a CSRF-protected POST", async () => {
  const code = h.dashboard!.setupCode()!;
  const setup = await fetch(`${h.url}/api/v1/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, password: "a long enough password" }) });
  assert.is(setup.status, 200);
  const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0]!;
  const csrf = ((await setup.json()) as { csrf: string }).csrf;
  const devices = (await (await fetch(`${h.url}/api/v1/dashboard/devices`, { headers: { cookie } })).json()) as { zigbee: { adapter: string; permitJoinSecondsLeft: number; devices: Array<{ ieeeAddr: string; lastSeen: number | null }> } };
  assert.is(devices.zigbee.adapter, "zstack");
  assert.is(devices.zigbee.permitJoinSecondsLeft, 0);
  const evse = devices.zigbee.devices.find((d) => d.ieeeAddr === EVSE);
  assert.ok(evse && evse.lastSeen !== null && Math.abs(evse.lastSeen - Date.now() / 1000) < 60, "the EVSE was seen (it sent frames)");
  const post = (body: unknown, headers: Record<string, string>) => fetch(`${h.url}/api/v1/dashboard/zigbee/permit-join`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  assert.is((await post({ seconds: 60 }, {})).status, 401, "no session");
  assert.is((await post({ seconds: 60 }, { cookie })).status, 403, "no CSRF token");
  assert.is((await post({ seconds: 60 }, { cookie, "x-csrf-token": csrf, origin: "http://evil.example" })).status, 403, "foreign origin");
  const bad = await post({ seconds: 999 }, { cookie, "x-csrf-token": csrf });
  assert.is(bad.status, 400);
  assert.is(((await bad.json()) as { error: { path: string } }).error.path, "seconds");
  assert.equal(adapter.permitJoinCalls, [], "nothing reached the coordinator yet");
  const ok = await post({ seconds: 60 }, { cookie, "x-csrf-token": csrf });
  assert.is(ok.status, 200);
  const opened = (await ok.json()) as { permitJoinSecondsLeft: number };
  assert.ok(opened.permitJoinSecondsLeft > 55 && opened.permitJoinSecondsLeft <= 60, String(opened.permitJoinSecondsLeft));
  assert.equal(adapter.permitJoinCalls, [60]);
  const closed = (await (await post({ seconds: 0 }, { cookie, "x-csrf-token": csrf })).json()) as { permitJoinSecondsLeft: number };
  assert.is(closed.permitJoinSecondsLeft, 0);
});

test.run();
