// Frame vectors derived by hand from the ZigBee SE 1.2 command payload tables (07-5356-19, Price D.4.2.4.1,
// DRLC D.2.2.3.1 / D.2.3.3.1, Messaging D.5.2.3.1), built and parsed with herdsman's ZCL codec.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { UtcSeconds } from "../../core/time/index.ts";
import { DEVICE_CLASS_EV, loadControlEventPayload, parseReportEventStatus } from "./drlc-messages.ts";
import { bindingMessageText, cancelMessagePayload, displayMessagePayload, MAX_MESSAGE_BYTES } from "./messaging-messages.ts";
import { truncateUtf8 } from "./se-text.ts";
import { CURRENCY_USD, parsePublishPrice, publishPriceFromTariff, publishPricePayload, seAmountFromMicroUsd, UNIT_KWH, type PublishPrice } from "./price-messages.ts";
import { DRLC, DRLC_CLUSTER_ID, MESSAGING, MESSAGING_CLUSTER_ID, PRICE, PRICE_CLUSTER_ID } from "./se-clusters.ts";
import { buildClientCommand, buildServerCommand, parseSeFrame } from "./se-frames.ts";
import { fromZigbeeUtc, toZigbeeUtc } from "./se-time.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const NOW = 1717398000 as UtcSeconds; // 2024-06-03T07:00:00Z = Zigbee UTC 770713200 = 0x2DF02670

const offpeak: PublishPrice = {
  providerId: 1, rateLabel: "OFFPEAK", issuerEventId: 100, currentTime: NOW, unitOfMeasure: UNIT_KWH, currency: CURRENCY_USD,
  priceTrailingDigit: 5, priceTier: 1, numberOfPriceTiers: 1, registerTier: 1, startTime: "now", durationMin: "until-changed", price: 12345,
};
const OFFPEAK_FRAME = hex(
  "19 2a 00" + // ZCL header: cluster-specific, server→client, no default response; TSN 0x2a; PublishPrice
  "01 00 00 00" + // Provider ID 1
  "07 4f 46 46 50 45 41 4b" + // Rate Label "OFFPEAK" (octet string)
  "64 00 00 00" + // Issuer Event ID 100
  "70 26 f0 2d" + // Current Time
  "00" + // Unit of Measure: kWh
  "48 03" + // Currency 840 (USD)
  "51" + // Trailing digits 5 | tier 1
  "11" + // 1 price tier | register tier 1
  "00 00 00 00" + // Start Time: now
  "ff ff" + // Duration: until changed
  "39 30 00 00" + // Price 12345 → $0.12345/kWh
  "ff" + // Price Ratio: not used
  "ff ff ff ff" + // Generation Price: not used
  "ff" + // Generation Price Ratio: not used
  "ff ff ff ff" + // Alternate Cost Delivered: not used (SE 1.1 tail from here)
  "ff" + // Alternate Cost Unit: not used
  "00" + // Alternate Cost Trailing Digit
  "00" + // Number of Block Thresholds
  "00" + // Price Control
  "",
);

test("Zigbee UTC epoch is 2000-01-01", () => {
  assert.is(toZigbeeUtc(NOW), 770713200);
  assert.is(fromZigbeeUtc(0), 946684800);
  assert.throws(() => toZigbeeUtc(0 as UtcSeconds), /before 2000/);
});

test("PublishPrice OFFPEAK/USD/12345e-5/tier 1/now/until-changed is byte-exact and parses back without NaN", () => {
  const bytes = buildServerCommand(PRICE, "publishPrice", publishPricePayload(offpeak), 0x2a);
  assert.is(bytes.toString("hex"), OFFPEAK_FRAME.toString("hex"));
  const parsed = parseSeFrame(PRICE_CLUSTER_ID, bytes);
  assert.equal([parsed.cluster, parsed.command, parsed.direction, parsed.tsn], [PRICE, "publishPrice", "server-to-client", 0x2a]);
  assert.is(parsed.payload.durationInMinutes, 0xffff, "0xFFFF stays a number");
  const back = parsePublishPrice(parsed.payload);
  assert.equal(back, { ...offpeak, alternateCostTrailingDigit: 0, numberOfBlockThresholds: 0, priceControl: 0 });
  assert.is(back.durationMin, "until-changed");
  assert.is(back.priceRatio, undefined, "0xFF ratio means not used");
});

test("an SE 1.0 PublishPrice without the SE 1.1 tail still parses", () => {
  const se10 = OFFPEAK_FRAME.subarray(0, OFFPEAK_FRAME.length - 8);
  const back = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, se10).payload);
  assert.is(back.price, 12345);
  assert.is(back.numberOfBlockThresholds, undefined);
});

test("µ$/kWh maps to SE price and trailing digits exactly", () => {
  assert.equal(seAmountFromMicroUsd(123450), { price: 12345, trailingDigits: 5 });
  assert.equal(seAmountFromMicroUsd(300000), { price: 3, trailingDigits: 1 });
  assert.equal(seAmountFromMicroUsd(0), { price: 0, trailingDigits: 6 });
  assert.equal(seAmountFromMicroUsd(123457), { price: 123457, trailingDigits: 6 });
  assert.throws(() => seAmountFromMicroUsd(1.5), /whole/);
  const p = publishPriceFromTariff({ period: 0, tiers: 2, label: "OFFPEAK", priceMicroUsdPerKWh: 123450, since: NOW, until: (NOW + 3 * 3600) as UtcSeconds }, { providerId: 1, issuerEventId: 7, now: NOW });
  assert.equal([p.price, p.priceTrailingDigit, p.priceTier, p.startTime, p.durationMin], [12345, 5, 1, "now", 180]);
});

const tou = (period: number, tiers: number, label = "PEAK") => publishPriceFromTariff({ period, tiers, label, priceMicroUsdPerKWh: 410000, since: NOW }, { providerId: 1, issuerEventId: 8, now: NOW });

test("FR-35: the number of price tiers is the tariff's, not the tier in force", () => {
  const peak = tou(1, 3);
  assert.equal([peak.priceTier, peak.registerTier, peak.numberOfPriceTiers], [2, 2, 3]);
  const first = tou(0, 3, "OFFPEAK");
  assert.equal([first.priceTier, first.numberOfPriceTiers], [1, 3], "tier 1 of a 3-tier tariff says 3 tiers, not 1");
  const bytes = buildServerCommand(PRICE, "publishPrice", publishPricePayload(peak), 1);
  assert.is(bytes[3 + 4 + 1 + 4 + 4 + 4 + 1 + 2 + 1], 0x32, "Number of Price Tiers 3 | Register Tier 2 on the wire");
  assert.throws(() => tou(3, 3), /period 3 is not one of the tariff's 3 periods/);
  assert.throws(() => tou(0, 16), /16 periods; a PublishPrice can name 1\.\.15 price tiers/);
  assert.throws(() => publishPricePayload({ ...offpeak, priceTier: 2, registerTier: 2, numberOfPriceTiers: 1 }), /beyond the 1 tier\(s\) announced/);
});

test("FR-35: a rate label longer than 12 bytes is cut between characters, and the frame is sent", () => {
  // "Super-Off " is 10 bytes and ⚡ 3 more: a byte cut at 12 lands inside the ⚡.
  const p = tou(0, 2, "Super-Off ⚡EV");
  assert.is(p.rateLabel, "Super-Off ");
  const back = parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, buildServerCommand(PRICE, "publishPrice", publishPricePayload(p), 2)).payload);
  assert.is(back.rateLabel, "Super-Off ");
  assert.is(tou(0, 2, "Été creuse").rateLabel, "Été creuse", "12 bytes exactly is kept whole");
  assert.is(tou(0, 2, "Nuit plus e\u0301").rateLabel, "Nuit plus ", "a combining accent (byte 12-13) is not split from its letter (byte 11)");
});

test("a partial SE 1.1 PublishPrice tail is refused by name, not read as the wrong fields", () => {
  for (const keep of [1, 4, 5, 7]) {
    const partial = OFFPEAK_FRAME.subarray(0, OFFPEAK_FRAME.length - 8 + keep);
    const parsed = parseSeFrame(PRICE_CLUSTER_ID, partial);
    assert.is(parsed.payload.alternateCostUnit, undefined, `${keep} tail bytes: no field read from them`);
    assert.throws(() => parsePublishPrice(parsed.payload), new RegExp(`${keep} byte\\(s\\) after Generation Price Ratio are not a whole SE 1\\.1 tail`));
  }
  const longer = Buffer.concat([OFFPEAK_FRAME, hex("00 00 00 00 00")]);
  assert.is(parsePublishPrice(parseSeFrame(PRICE_CLUSTER_ID, longer).payload).priceControl, 0, "fields of later SE versions after a whole tail are ignored");
});

test("GetCurrentPrice, GetScheduledPrices and PriceAcknowledgement parse from spec bytes", () => {
  const gcp = parseSeFrame(PRICE_CLUSTER_ID, hex("01 05 00 01"));
  assert.equal([gcp.command, gcp.payload.commandOptions, gcp.direction], ["getCurrentPrice", 1, "client-to-server"]);
  const gsp = parseSeFrame(PRICE_CLUSTER_ID, hex("01 06 01 70 26 f0 2d 05"));
  assert.equal([gsp.command, gsp.payload.startTime, gsp.payload.numberOfEvents], ["getScheduledPrices", 770713200, 5]);
  const ack = parseSeFrame(PRICE_CLUSTER_ID, hex("01 07 02 01 00 00 00 64 00 00 00 70 26 f0 2d 00"));
  assert.equal([ack.command, ack.payload.providerId, ack.payload.issuerEventId, ack.payload.priceAckTime], ["priceAcknowledgement", 1, 100, 770713200]);
  assert.is(buildClientCommand(PRICE, "getCurrentPrice", { commandOptions: 1 }, 5).toString("hex"), "01050001");
});

test("LoadControlEvent to the EV device class (0x0400) is byte-exact, unused fields are SE non-values", () => {
  const payload = loadControlEventPayload({ issuerEventId: 0x1234, deviceClass: DEVICE_CLASS_EV, utilityEnrollmentGroup: 0, startTime: "now", durationMin: 60, criticalityLevel: 3, averageLoadAdjustmentPercentage: -50, eventControl: 0 });
  const bytes = buildServerCommand(DRLC, "loadControlEvent", payload, 1);
  assert.is(bytes.toString("hex"), hex(`19 01 00  34 12 00 00  00 04  00  00 00 00 00  3c 00  03  ff ff  00 80 00 80  ce  ff  00`).toString("hex"));
  const parsed = parseSeFrame(DRLC_CLUSTER_ID, bytes);
  assert.is(parsed.payload.deviceClass, 0x0400);
  assert.is(parsed.payload.averageLoadAdjustmentPercentage, -50);
  assert.ok(Number.isNaN(parsed.payload.dutyCycle as number), "herdsman reads the non-value as NaN");
  assert.throws(() => loadControlEventPayload({ issuerEventId: 1, deviceClass: DEVICE_CLASS_EV, utilityEnrollmentGroup: 0, startTime: "now", durationMin: 0xffff, criticalityLevel: 1, eventControl: 0 }), /1\.\.1440/);
});

test("Cancel and CancelAll load control events", () => {
  const c = buildServerCommand(DRLC, "cancelLoadControlEvent", { issuerEventId: 0x1234, deviceClass: DEVICE_CLASS_EV, utilityEnrollmentGroup: 0, cancelControl: 1, effectiveTime: 0 }, 2);
  assert.is(c.toString("hex"), "1902013412000000040001" + "00000000");
  assert.is(buildServerCommand(DRLC, "cancelAllLoadControlEvents", { cancelControl: 0 }, 3).toString("hex"), "19030200");
});

test("ReportEventStatus with and without the 42-byte signature", () => {
  const unsigned = hex(`09 07 00  34 12 00 00  02  70 26 f0 2d  03  00 80  00 80  ce  ff  00  00`);
  const r = parseReportEventStatus(parseSeFrame(DRLC_CLUSTER_ID, Buffer.concat([hex("01"), unsigned.subarray(1)])).payload);
  assert.equal([r.issuerEventId, r.status, r.at, r.criticalityLevelApplied, r.averageLoadAdjustmentPercentageApplied, r.dutyCycleApplied, r.signed], [0x1234, "started", NOW, 3, -50, undefined, false]);
  const withSig = (type: string, n: number) => parseSeFrame(DRLC_CLUSTER_ID, Buffer.concat([hex("01"), unsigned.subarray(1, unsigned.length - 1), hex(type), Buffer.alloc(n, 0xab)])).payload;
  const s = withSig("01", 42);
  assert.is((s.signature as Buffer).length, 42);
  assert.ok(parseReportEventStatus(s).signed);
  assert.ok(Number.isNaN(s.coolingTemperatureSetPointApplied as number), "0x8000 is the INT16 non-value: not used");
});

test("ReportEventStatus: a signature must match its type (ECDSA = 42 bytes); signed never rests on the type alone", () => {
  const base = hex(`01 07 00  34 12 00 00  02  70 26 f0 2d  03  00 80  00 80  ce  ff  00`);
  const report = (tail: Buffer) => parseReportEventStatus(parseSeFrame(DRLC_CLUSTER_ID, Buffer.concat([base, tail])).payload);
  for (const n of [0, 1, 41, 43, 64]) {
    assert.throws(() => report(Buffer.concat([hex("01"), Buffer.alloc(n, 0xab)])), new RegExp(`ECDSA signature \\(type 0x01\\) must be 42 bytes, got ${n}`), `${n} bytes`);
  }
  assert.is(report(Buffer.concat([hex("01"), Buffer.alloc(42, 0xab)])).signed, true);
  assert.is(report(hex("00")).signed, false);
  assert.is(report(Buffer.concat([hex("00"), Buffer.alloc(42, 0)])).signed, false, "type 0 with a zero-filled field: unsigned");
  assert.throws(() => report(Buffer.concat([hex("00"), Buffer.alloc(42, 0xab)])), /type 0x00 \(none\) but 42 signature byte\(s\) follow/);
  assert.throws(() => report(Buffer.concat([hex("02"), Buffer.alloc(42, 0xab)])), /signature type 0x02 is reserved/);
  assert.throws(() => report(hex("ff")), /signature type 0xff is reserved/);
});

test("FR-35: unused LoadControlEvent set points are 0x8000, offsets 0xFF; criticality outside 1..15 is refused", () => {
  const payload = loadControlEventPayload({ issuerEventId: 1, deviceClass: DEVICE_CLASS_EV, utilityEnrollmentGroup: 0, startTime: "now", durationMin: 30, criticalityLevel: 7, eventControl: 0 });
  const b = buildServerCommand(DRLC, "loadControlEvent", payload, 1);
  assert.is(b.subarray(3 + 4 + 2 + 1 + 4 + 2 + 1).toString("hex"), "ffff" + "0080" + "0080" + "80" + "ff" + "00", "offsets 0xFF, set points 0x8000, load adjustment 0x80, duty cycle 0xFF: each type's \"not used\"");
  const status = buildClientCommand(DRLC, "reportEventStatus", { issuerEventId: 1, eventStatus: 2, eventStatusTime: 0, criticalityLevelApplied: 7, coolingTemperatureSetPointApplied: Number.NaN, heatingTemperatureSetPointApplied: Number.NaN, averageLoadAdjustmentPercentageApplied: Number.NaN, dutyCycleApplied: Number.NaN, eventControl: 0, signatureType: 0 }, 1);
  assert.is(status.subarray(3 + 4 + 1 + 4 + 1, 3 + 4 + 1 + 4 + 1 + 4).toString("hex"), "00800080", "a device double writes 0x8000 too, not 0xFFFF");
  for (const bad of [0, 16, 1.5]) {
    assert.throws(() => loadControlEventPayload({ issuerEventId: 1, deviceClass: DEVICE_CLASS_EV, utilityEnrollmentGroup: 0, startTime: "now", durationMin: 30, criticalityLevel: bad, eventControl: 0 }), /criticality level .* must be 1\.\.15/);
  }
});

test("FR-17, FR-24: DisplayMessage is byte-exact; MessageConfirmation parses", () => {
  const bytes = buildServerCommand(MESSAGING, "displayMessage", displayMessagePayload({ messageId: 9, importance: "medium", confirmationRequired: true, startTime: "now", durationMin: 30, text: "EV bound" }), 4);
  // Message Control 0x84: transmission 0b00 (normal only), importance 01 (medium) in bits 2-3, confirmation bit 7.
  assert.is(bytes.toString("hex"), hex(`19 04 00  09 00 00 00  84  00 00 00 00  1e 00  08 45 56 20 62 6f 75 6e 64  00`).toString("hex"));
  for (const [importance, control] of [["low", 0x00], ["medium", 0x04], ["high", 0x08], ["critical", 0x0c]] as const) {
    const c = displayMessagePayload({ messageId: 1, importance, confirmationRequired: false, startTime: "now", durationMin: 1, text: "x" }).messageControl as number;
    assert.is(c, control, `${importance}: transmission bits 0b00 (normal only; 0b01 would add anonymous Inter-PAN)`);
  }
  assert.equal(cancelMessagePayload(9), { messageId: 9, messageControl: 0 }, "SE 1.2 deprecates CancelMessage's control: 0x00");
  const conf = parseSeFrame(MESSAGING_CLUSTER_ID, hex("01 08 01  09 00 00 00  70 26 f0 2d"));
  assert.equal([conf.command, conf.payload.messageId, conf.payload.confirmationTime], ["messageConfirmation", 9, 770713200]);
  assert.throws(() => displayMessagePayload({ messageId: 1, importance: "low", confirmationRequired: false, startTime: "now", durationMin: 1, text: "x".repeat(60) }), /at most 59/);
});

test("FR-17, FR-24: text is cut between characters, never inside a UTF-8 sequence", () => {
  assert.is(truncateUtf8("abc", 3), "abc");
  assert.is(truncateUtf8("ab€", 4), "ab", "€ is 3 bytes: not split");
  assert.is(truncateUtf8("a👍🏽b", 8), "a", "an emoji with its skin tone is one character (8 bytes)");
  assert.is(truncateUtf8("a👍🏽b", 9), "a👍🏽");
  const long = bindingMessageText({ established: false, reason: "le véhicule n'a pas répondu à temps — réessayez plus tard" });
  assert.ok(Buffer.byteLength(long, "utf8") <= MAX_MESSAGE_BYTES && !long.includes("\uFFFD"), long);
  assert.throws(() => truncateUtf8("x", -1), /byte limit -1/);
});

test("a truncated SE frame fails with the cluster, command and field named", () => {
  assert.throws(() => parseSeFrame(PRICE_CLUSTER_ID, OFFPEAK_FRAME.subarray(0, 12)), /sePrice:publishPrice:/);
});

test.run();
