// Controller-level: the real herdsman Controller runs on an in-process adapter double; devices "send" ZCL frames and
// we check what the hub sends back, byte for byte through herdsman's codec.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Zcl } from "zigbee-herdsman";
import type { UtcSeconds } from "../../core/time/index.ts";
import { DEVICE_CLASS_EV } from "./drlc-messages.ts";
import { parsePublishPrice } from "./price-messages.ts";
import { DRLC, DRLC_CLUSTER_ID, MESSAGING, MESSAGING_CLUSTER_ID, METERING_CLUSTER_ID, PRICE, PRICE_CLUSTER_ID, TUNNELING_CLUSTER_ID } from "./se-clusters.ts";
import { buildClientCommand, parseSeFrame } from "./se-frames.ts";
import { toZigbeeUtc } from "./se-time.ts";
import { PEV_LINK_TUNNEL_PROTOCOL, TUNNEL_CHUNK_BYTES, type TunnelByteChannel } from "./tunnel.ts";
import { EVSE, EVSE_NWK, RIG_NOW, sentTo, withSeRig, type SeRig } from "./testing/se-rig.ts";
import { METER_KWH_REPORT, meteringReportFrame, type MeteringAttr } from "./testing/adapter-double.ts";

const NOW = RIG_NOW;
type Rig = SeRig;
const rig = withSeRig;

const fromEvse = (r: Rig, clusterId: number, frame: Buffer) => r.adapter.receive(EVSE_NWK, 1, clusterId, frame);

test("coordinator: network settings, permit-join with a limit, install codes, device list with last-seen, database under the data dir", () =>
  rig(async (r) => {
    const net = JSON.parse(readFileSync(join(r.dir, "network.json"), "utf8")) as { networkKey: number[]; channel: number };
    assert.is(net.networkKey.length, 16);
    assert.is(net.channel, 15);
    await r.coord.permitJoin(120);
    assert.equal(r.adapter.permitJoinCalls, [120]);
    assert.ok(r.coord.permitJoinEndsAt !== undefined);
    await r.coord.permitJoin(600).then(() => assert.unreachable("600 s accepted"), (e: Error) => assert.match(e.message, /0\.\.254/));
    await r.coord.permitJoin(0);
    await r.coord.addInstallCode("Z:00124B0000000BBB$I:83FED3407A939723A5C639B26916D505C3B5");
    assert.is(r.adapter.installCodes[0]?.ieeeAddr, "0x00124b0000000bbb");
    await r.coord.addInstallCode("nonsense").then(() => assert.unreachable("accepted"), (e: Error) => assert.match(e.message, /install code rejected/));
    r.adapter.join("0x00124b0000000bbb", 0x2222);
    await new Promise((res) => setTimeout(res, 20));
    const ieees = r.coord.devices().map((d) => d.ieeeAddr);
    assert.ok(ieees.includes("0x00124b0000000bbb"), "joined device is listed");
    fromEvse(r, PRICE_CLUSTER_ID, buildClientCommand(PRICE, "getCurrentPrice", { commandOptions: 0 }, 1));
    await new Promise((res) => setTimeout(res, 20));
    const evse = r.coord.devices().find((d) => d.ieeeAddr === EVSE)!;
    assert.ok(evse.lastSeen !== undefined && Math.abs(evse.lastSeen - Math.floor(Date.now() / 1000)) < 5, "last seen updated on traffic");
    await r.coord.backup();
    assert.ok(existsSync(join(r.dir, "database.db")));
    assert.match(readFileSync(join(r.dir, "database.db"), "utf8"), /0x00124b0000000bbb/);
  }));

test("price: published at a period change (not twice), answered on GetCurrentPrice with the request's TSN", () =>
  rig(async (r) => {
    assert.ok(await r.se.setPrice({ period: 0, tiers: 2, label: "OFFPEAK", priceMicroUsdPerKWh: 123450, since: NOW, until: (NOW + 7200) as UtcSeconds }));
    const f = parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data);
    assert.is(f.command, "publishPrice");
    const p = parsePublishPrice(f.payload);
    assert.equal([p.providerId, p.rateLabel, p.price, p.priceTrailingDigit, p.priceTier, p.currency, p.startTime, p.durationMin], [7, "OFFPEAK", 12345, 5, 1, 840, "now", 120]);
    assert.is(await r.se.setPrice({ period: 0, tiers: 2, label: "OFFPEAK", priceMicroUsdPerKWh: 123450, since: NOW, until: (NOW + 7200) as UtcSeconds }), false);
    r.clock.advance(7200_000);
    assert.ok(await r.se.setPrice({ period: 1, tiers: 2, label: "PEAK", priceMicroUsdPerKWh: 410000, since: (NOW + 7200) as UtcSeconds }));
    const peak = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data).payload);
    assert.equal([peak.rateLabel, peak.price, peak.priceTrailingDigit, peak.priceTier, peak.durationMin], ["PEAK", 41, 2, 2, "until-changed"]);
    assert.ok(peak.issuerEventId > p.issuerEventId, "issuer event IDs grow");
    fromEvse(r, PRICE_CLUSTER_ID, buildClientCommand(PRICE, "getCurrentPrice", { commandOptions: 1 }, 0x33));
    const answer = parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data);
    assert.equal([answer.command, answer.tsn], ["publishPrice", 0x33]);
    assert.is(parsePublishPrice(answer.payload).rateLabel, "PEAK");
    fromEvse(r, PRICE_CLUSTER_ID, buildClientCommand(PRICE, "getScheduledPrices", { startTime: toZigbeeUtc(NOW), numberOfEvents: 3 }, 0x34));
    const sched = parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data);
    assert.equal([sched.command, sched.tsn], ["publishPrice", 0x34]);
    fromEvse(r, PRICE_CLUSTER_ID, buildClientCommand(PRICE, "priceAcknowledgement", { providerId: 7, issuerEventId: peak.issuerEventId, priceAckTime: toZigbeeUtc(NOW), control: 0 }, 0x35));
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.se.priceAcks, [{ ieeeAddr: EVSE, issuerEventId: peak.issuerEventId, at: NOW }]);
  }));

test("FR-35: setPrice never reports success for a PublishPrice that did not go out", () =>
  rig(async (r) => {
    // The label cut at 12 bytes used to end inside the ⚡, the encoder threw, and setPrice still said it had published.
    assert.ok(await r.se.setPrice({ period: 0, tiers: 2, label: "Super-Off ⚡EV", priceMicroUsdPerKWh: 90000, since: NOW }));
    const p = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data).payload);
    assert.equal([p.rateLabel, p.priceTier, p.numberOfPriceTiers], ["Super-Off ", 1, 2]);
    // A tariff SE cannot express: refused by name, and GetCurrentPrice no longer answers with the old price.
    await r.se.setPrice({ period: 16, tiers: 17, label: "P17", priceMicroUsdPerKWh: 90000, since: NOW }).then(
      () => assert.unreachable("17 tiers accepted"),
      (e: Error) => assert.match(e.message, /PublishPrice for "P17" \(period 16\) cannot be sent: the tariff has 17 periods/),
    );
    assert.is(r.se.currentPublishPrice(), undefined);
    // A device that cannot be reached: setPrice rejects naming it, and the next call sends again with the same issuer ID.
    const send = r.adapter.sendZclFrameToEndpoint.bind(r.adapter);
    r.adapter.sendZclFrameToEndpoint = async () => { throw new Error("MAC no ack"); };
    const at = { period: 1, tiers: 2, label: "PEAK", priceMicroUsdPerKWh: 410000, since: NOW };
    await r.se.setPrice(at).then(() => assert.unreachable("unreachable device reported as published"), (e: Error) => assert.match(e.message, new RegExp(`cluster 0x0700: ${EVSE}/1: .*MAC no ack`)));
    r.adapter.sendZclFrameToEndpoint = send;
    assert.ok(await r.se.setPrice(at), "not published yet, so sent again");
    const again = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, (await r.adapter.nextSent(sentTo(PRICE_CLUSTER_ID))).data).payload);
    assert.equal([again.rateLabel, again.issuerEventId], ["PEAK", r.se.currentPublishPrice()!.issuerEventId]);
    assert.is(await r.se.setPrice(at), false, "now every client has it");
  }));

test("DR: LoadControlEvent goes to the EV device class and the device's ReportEventStatus is recorded", () =>
  rig(async (r) => {
    const id = await r.se.sendLoadControlEvent({ utilityEnrollmentGroup: 0, startTime: "now", durationMin: 90, criticalityLevel: 4, averageLoadAdjustmentPercentage: -40, eventControl: 0 });
    const f = parseSeFrame(DRLC_CLUSTER_ID, (await r.adapter.nextSent(sentTo(DRLC_CLUSTER_ID))).data);
    assert.equal([f.command, f.payload.deviceClass, f.payload.issuerEventId, f.payload.durationInMinutes, f.payload.averageLoadAdjustmentPercentage], ["loadControlEvent", DEVICE_CLASS_EV, id, 90, -40]);
    const got = new Promise((res) => r.se.onEventStatus(res));
    fromEvse(r, DRLC_CLUSTER_ID, buildClientCommand(DRLC, "reportEventStatus", {
      issuerEventId: id, eventStatus: 0x02, eventStatusTime: toZigbeeUtc(NOW), criticalityLevelApplied: 4, coolingTemperatureSetPointApplied: Number.NaN,
      heatingTemperatureSetPointApplied: Number.NaN, averageLoadAdjustmentPercentageApplied: -40, dutyCycleApplied: Number.NaN, eventControl: 0, signatureType: 0,
    }, 9));
    await got;
    assert.equal(r.se.eventReports.map((e) => [e.issuerEventId, e.status, e.at, e.averageLoadAdjustmentPercentageApplied]), [[id, "started", NOW, -40]]);
  }));

test("FR-17, FR-24: the binding result is shown with DisplayMessage and the customer's confirmation recorded", () =>
  rig(async (r) => {
    const id = await r.se.showBindingResult({ established: true, programName: "EV time-of-use" });
    const f = parseSeFrame(MESSAGING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(MESSAGING_CLUSTER_ID))).data);
    assert.equal([f.command, f.payload.messageId, f.payload.message, f.payload.durationInMinutes], ["displayMessage", id, "Charging session confirmed: EV time-of-use", 60]);
    const id2 = await r.se.showBindingResult({ established: false, reason: "vehicle not enrolled" });
    const f2 = parseSeFrame(MESSAGING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(MESSAGING_CLUSTER_ID))).data);
    assert.is(f2.payload.message, "No program session: vehicle not enrolled");
    assert.is((f2.payload.messageControl as number) & 0x80, 0x80, "confirmation requested");
    fromEvse(r, MESSAGING_CLUSTER_ID, buildClientCommand(MESSAGING, "messageConfirmation", { messageId: id2, confirmationTime: toZigbeeUtc(NOW) }, 4));
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.se.confirmations, [{ ieeeAddr: EVSE, messageId: id2, at: NOW }]);
    await r.se.cancelMessage(id2);
    const c = parseSeFrame(MESSAGING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(MESSAGING_CLUSTER_ID))).data);
    assert.equal([c.command, c.payload.messageId, c.payload.messageControl], ["cancelMessage", id2, 0]);
  }));

test("FR-20: an SE metering device serves the Meter port: reports → Wh and W with multiplier and divisor", () =>
  rig(async (r) => {
    const meter = r.se.meter(EVSE);
    const report = (attrs: MeteringAttr[], tsn: number) => fromEvse(r, METERING_CLUSTER_ID, meteringReportFrame(attrs, tsn));
    // The meter also says how it formats its summation (0x0303), which the hub does not need.
    report([...METER_KWH_REPORT, { attrId: 0x0303, dataType: Zcl.DataType.BITMAP8, attrData: 0x2b }], 1);
    await new Promise((res) => setTimeout(res, 20));
    const m = await meter.read();
    assert.equal([m.energyWh, m.powerW, m.at], [12_345_678, 7_200, NOW], "12345.678 kWh = 12345678 Wh; 7.2 kW = 7200 W");
    report([{ attrId: 0x0000, dataType: Zcl.DataType.UINT48, attrData: 12_346_000 }], 2);
    await new Promise((res) => setTimeout(res, 20));
    assert.is((await meter.read()).energyWh, 12_346_000);
  }));

test("FR-09: the Tunneling cluster carries a byte stream for the PEV link, chunked and in order", () =>
  rig(async (r) => {
    const opened = new Promise<TunnelByteChannel>((res) => r.se.onTunnel(res));
    fromEvse(r, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "requestTunnel", { protocolId: 7, manufacturerCode: 0, flowControl: 0, maxIncomingTransferSize: 1500 }, 0x40));
    const refused = parseSeFrame(TUNNELING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(TUNNELING_CLUSTER_ID))).data);
    assert.equal([refused.command, refused.payload.status, refused.tsn], ["requestTunnelRsp", 3, 0x40], "unknown protocol refused");
    fromEvse(r, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "requestTunnel", { protocolId: PEV_LINK_TUNNEL_PROTOCOL, manufacturerCode: 0, flowControl: 0, maxIncomingTransferSize: 1500 }, 0x41));
    const rsp = parseSeFrame(TUNNELING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(TUNNELING_CLUSTER_ID))).data);
    assert.equal([rsp.command, rsp.payload.status], ["requestTunnelRsp", 0]);
    const tunnel = await opened;
    assert.is(tunnel.tunnelId, rsp.payload.tunnelId);
    const got: number[] = [];
    tunnel.onData((b) => got.push(...b));
    fromEvse(r, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "transferData", { tunnelId: tunnel.tunnelId, data: Buffer.from([1, 2, 3]) }, 0x42));
    fromEvse(r, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "transferData", { tunnelId: tunnel.tunnelId, data: Buffer.from([4, 5]) }, 0x43));
    await new Promise((res) => setTimeout(res, 20));
    assert.equal(got, [1, 2, 3, 4, 5]);
    const out = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    tunnel.write(out);
    const chunks: Buffer[] = [];
    for (let i = 0; i < Math.ceil(100 / TUNNEL_CHUNK_BYTES); i++) {
      const f = parseSeFrame(TUNNELING_CLUSTER_ID, (await r.adapter.nextSent(sentTo(TUNNELING_CLUSTER_ID))).data);
      assert.equal([f.command, f.direction, f.payload.tunnelId], ["transferData", "server-to-client", tunnel.tunnelId]);
      chunks.push(f.payload.data as Buffer);
    }
    assert.equal([...Buffer.concat(chunks)], [...out]);
    const closed = new Promise((res) => tunnel.onClose(res));
    fromEvse(r, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "closeTunnel", { tunnelId: tunnel.tunnelId }, 0x44));
    await closed;
  }));

test.run();
