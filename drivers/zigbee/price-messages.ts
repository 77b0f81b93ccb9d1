// PublishPrice and its requests, in Offpeak's units: the tariff's price in micro-dollars per kWh becomes an SE price
// with trailing digits; Zigbee UTCTime becomes UtcSeconds; 0xFFFF duration is "until-changed", never NaN.
import type { UtcSeconds } from "../../core/time/index.ts";
import { truncateUtf8 } from "./se-text.ts";
import { fromZigbeeUtc, toZigbeeUtc } from "./se-time.ts";

/** ISO 4217 numeric code for US dollars. */
export const CURRENCY_USD = 840;
/** Unit of measure 0x00: kWh, binary format. */
export const UNIT_KWH = 0x00;

export interface PublishPrice {
  providerId: number;
  /** At most 12 bytes. */
  rateLabel: string;
  issuerEventId: number;
  currentTime: UtcSeconds;
  unitOfMeasure: number;
  currency: number;
  /** Decimal digits right of the point in `price` (0..15). */
  priceTrailingDigit: number;
  /** 0 = no tier, 1..15 = tier N. */
  priceTier: number;
  /** How many tiers the tariff has (0..15), not which one is in force: a display uses it to lay out its tier table. */
  numberOfPriceTiers: number;
  registerTier: number;
  startTime: UtcSeconds | "now";
  durationMin: number | "until-changed";
  price: number;
  priceRatio?: number;
  generationPrice?: number;
  generationPriceRatio?: number;
  alternateCostDelivered?: number;
  alternateCostUnit?: number;
  alternateCostTrailingDigit?: number;
  numberOfBlockThresholds?: number;
  priceControl?: number;
}

/** The herdsman payload for `publishPrice` (names as in se-clusters.ts). */
export type PublishPricePayload = Record<string, number | Buffer>;

const nib = (hi: number, lo: number, what: string): number => {
  if (!Number.isInteger(hi) || hi < 0 || hi > 15 || !Number.isInteger(lo) || lo < 0 || lo > 15) throw new RangeError(`${what}: both halves must be 0..15, got ${hi} and ${lo}`);
  return (hi << 4) | lo;
};
/** Herdsman writes a NaN as the field's ZCL non-value ("not used"). */
const orNotUsed = (v: number | undefined): number => (v === undefined ? Number.NaN : v);
const used = (v: unknown): number | undefined => (typeof v === "number" && !Number.isNaN(v) ? v : undefined);

/** SE 1.2 D.4.2.4.1: the Rate Label octet string carries at most 12 bytes. */
export const MAX_RATE_LABEL_BYTES = 12;

export function publishPricePayload(p: PublishPrice): PublishPricePayload {
  const label = Buffer.from(p.rateLabel, "utf8");
  if (label.length > MAX_RATE_LABEL_BYTES) throw new RangeError(`rate label ${JSON.stringify(p.rateLabel)} is ${label.length} bytes; SE allows ${MAX_RATE_LABEL_BYTES}`);
  if (p.priceTier > p.numberOfPriceTiers || p.registerTier > p.numberOfPriceTiers) {
    throw new RangeError(`price tier ${p.priceTier} / register tier ${p.registerTier} is beyond the ${p.numberOfPriceTiers} tier(s) announced`);
  }
  if (!Number.isInteger(p.price) || p.price < 0 || p.price > 0xfffffffe) throw new RangeError(`price ${p.price} must be a whole number 0..0xFFFFFFFE`);
  if (p.durationMin !== "until-changed" && (!Number.isInteger(p.durationMin) || p.durationMin < 0 || p.durationMin >= 0xffff)) {
    throw new RangeError(`price duration ${p.durationMin} min must be 0..65534 or "until-changed"`);
  }
  return {
    providerId: p.providerId,
    rateLabel: label,
    issuerEventId: p.issuerEventId,
    currentTime: toZigbeeUtc(p.currentTime),
    unitOfMeasure: p.unitOfMeasure,
    currency: p.currency,
    priceTrailingDigitAndPriceTier: nib(p.priceTrailingDigit, p.priceTier, "price trailing digit and tier"),
    numberOfPriceTiersAndRegisterTier: nib(p.numberOfPriceTiers, p.registerTier, "number of price tiers and register tier"),
    startTime: p.startTime === "now" ? 0 : toZigbeeUtc(p.startTime),
    durationInMinutes: p.durationMin === "until-changed" ? 0xffff : p.durationMin,
    price: p.price,
    priceRatio: orNotUsed(p.priceRatio),
    generationPrice: orNotUsed(p.generationPrice),
    generationPriceRatio: orNotUsed(p.generationPriceRatio),
    alternateCostDelivered: orNotUsed(p.alternateCostDelivered),
    alternateCostUnit: orNotUsed(p.alternateCostUnit),
    alternateCostTrailingDigit: (p.alternateCostTrailingDigit ?? 0) << 4,
    numberOfBlockThresholds: p.numberOfBlockThresholds ?? 0,
    priceControl: p.priceControl ?? 0,
  };
}

export function parsePublishPrice(raw: Record<string, unknown>): PublishPrice {
  const num = (k: string): number => {
    const v = raw[k];
    if (typeof v !== "number" || Number.isNaN(v)) throw new RangeError(`publishPrice: field ${k} is missing or not a number`);
    return v;
  };
  const label = raw.rateLabel;
  // se-clusters.ts reads the SE 1.1 tail all or nothing; bytes that cannot be a whole tail land here, and are refused
  // rather than read as fields they are not.
  const partial = raw.partialSe11Tail;
  if (Buffer.isBuffer(partial) && partial.length > 0) {
    throw new RangeError(`publishPrice: ${partial.length} byte(s) after Generation Price Ratio are not a whole SE 1.1 tail (8 bytes: alternate cost delivered, its unit and trailing digit, number of block thresholds, price control)`);
  }
  const p: PublishPrice = {
    providerId: num("providerId"),
    rateLabel: Buffer.isBuffer(label) ? label.toString("utf8") : "",
    issuerEventId: num("issuerEventId"),
    currentTime: fromZigbeeUtc(num("currentTime")),
    unitOfMeasure: num("unitOfMeasure"),
    currency: num("currency"),
    priceTrailingDigit: num("priceTrailingDigitAndPriceTier") >> 4,
    priceTier: num("priceTrailingDigitAndPriceTier") & 0x0f,
    numberOfPriceTiers: num("numberOfPriceTiersAndRegisterTier") >> 4,
    registerTier: num("numberOfPriceTiersAndRegisterTier") & 0x0f,
    startTime: num("startTime") === 0 ? "now" : fromZigbeeUtc(num("startTime")),
    durationMin: num("durationInMinutes") === 0xffff ? "until-changed" : num("durationInMinutes"),
    price: num("price"),
  };
  const opt = { priceRatio: used(raw.priceRatio), generationPrice: used(raw.generationPrice), generationPriceRatio: used(raw.generationPriceRatio), alternateCostDelivered: used(raw.alternateCostDelivered), alternateCostUnit: used(raw.alternateCostUnit) };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (p as unknown as Record<string, number>)[k] = v;
  const acd = used(raw.alternateCostTrailingDigit);
  if (acd !== undefined) p.alternateCostTrailingDigit = acd >> 4;
  const nbt = used(raw.numberOfBlockThresholds);
  if (nbt !== undefined) p.numberOfBlockThresholds = nbt;
  const pc = used(raw.priceControl);
  if (pc !== undefined) p.priceControl = pc;
  return p;
}

/** What the hub's tariff says is in force: the shape of the tariff engine's price-at answer. */
export interface PriceAt {
  /** 0-based URDB period index. */
  period: number;
  /** How many periods the tariff version in force has: SE's Number of Price Tiers (at most 15 in this field). */
  tiers: number;
  label: string;
  priceMicroUsdPerKWh: number;
  since: UtcSeconds;
  /** Next period change, if known. */
  until?: UtcSeconds;
}

/**
 * µ$/kWh is exactly a price with 6 trailing digits; drop trailing zeros (up to 6) so simple displays show
 * short numbers, e.g. 123450 µ$/kWh → 12345 with 5 digits = $0.12345/kWh. Integer only, no rounding.
 */
export function seAmountFromMicroUsd(microUsd: number): { price: number; trailingDigits: number } {
  if (!Number.isSafeInteger(microUsd) || microUsd < 0) throw new RangeError(`price ${microUsd} µ$/kWh must be a whole, non-negative number`);
  let price = microUsd;
  let digits = 6;
  while (digits > 0 && price % 10 === 0 && price !== 0) {
    price /= 10;
    digits--;
  }
  if (price > 0xfffffffe) throw new RangeError(`price ${microUsd} µ$/kWh is too large for the SE price field`);
  return { price, trailingDigits: digits };
}

export interface PriceContext {
  providerId: number;
  issuerEventId: number;
  now: UtcSeconds;
}

/**
 * The PublishPrice for what is in force now: tier = period + 1 (SE tier 0 means "no tier"), number of tiers = the
 * tariff's periods, label = the period's label cut to 12 bytes between characters. A tariff with more than 15 periods
 * cannot be told in these 4-bit fields: refused by name rather than sent with a wrong tier.
 */
export function publishPriceFromTariff(at: PriceAt, ctx: PriceContext): PublishPrice {
  const { price, trailingDigits } = seAmountFromMicroUsd(at.priceMicroUsdPerKWh);
  const durationMin = at.until === undefined ? "until-changed" : Math.max(0, Math.min(0xfffe, Math.ceil((at.until - Math.max(at.since, ctx.now)) / 60)));
  if (!Number.isInteger(at.tiers) || at.tiers < 1 || at.tiers > 15) throw new RangeError(`the tariff has ${at.tiers} periods; a PublishPrice can name 1..15 price tiers`);
  if (!Number.isInteger(at.period) || at.period < 0 || at.period >= at.tiers) throw new RangeError(`period ${at.period} is not one of the tariff's ${at.tiers} periods`);
  const tier = at.period + 1;
  return {
    providerId: ctx.providerId,
    rateLabel: truncateUtf8(at.label, MAX_RATE_LABEL_BYTES),
    issuerEventId: ctx.issuerEventId,
    currentTime: ctx.now,
    unitOfMeasure: UNIT_KWH,
    currency: CURRENCY_USD,
    priceTrailingDigit: trailingDigits,
    priceTier: tier,
    numberOfPriceTiers: at.tiers,
    registerTier: tier,
    startTime: at.since <= ctx.now ? "now" : at.since,
    durationMin,
    price,
  };
}
