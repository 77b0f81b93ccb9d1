// PublishPrice and its requests, in Offpeak's units: the tariff's price in micro-dollars per kWh becomes an SE price
// with trailing digits; Zigbee UTCTime becomes UtcSeconds; 0xFFFF duration is "until-changed", never NaN.
import type { UtcSeconds } from "../../core/time/index.ts";
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

export function publishPricePayload(p: PublishPrice): PublishPricePayload {
  const label = Buffer.from(p.rateLabel, "utf8");
  if (label.length > 12) throw new RangeError(`rate label ${JSON.stringify(p.rateLabel)} is ${label.length} bytes; SE allows 12`);
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
  numberOfPriceTiers?: number;
}

/** The PublishPrice for what is in force now: tier = period + 1 (SE tier 0 means "no tier"), label = the period's label. */
export function publishPriceFromTariff(at: PriceAt, ctx: PriceContext): PublishPrice {
  const { price, trailingDigits } = seAmountFromMicroUsd(at.priceMicroUsdPerKWh);
  const durationMin = at.until === undefined ? "until-changed" : Math.max(0, Math.min(0xfffe, Math.ceil((at.until - Math.max(at.since, ctx.now)) / 60)));
  const tier = Math.min(15, at.period + 1);
  return {
    providerId: ctx.providerId,
    rateLabel: Buffer.from(at.label, "utf8").subarray(0, 12).toString("utf8"),
    issuerEventId: ctx.issuerEventId,
    currentTime: ctx.now,
    unitOfMeasure: UNIT_KWH,
    currency: CURRENCY_USD,
    priceTrailingDigit: trailingDigits,
    priceTier: tier,
    numberOfPriceTiers: Math.min(15, ctx.numberOfPriceTiers ?? tier),
    registerTier: tier,
    startTime: at.since <= ctx.now ? "now" : at.since,
    durationMin,
    price,
  };
}
