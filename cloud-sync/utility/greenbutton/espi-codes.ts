// The ESPI (NAESB REQ.21) code values this head-end writes, named as the schema's enumerations name them
// (schema/espi.xsd: AccumulationKind, CommodityKind, …), so the feed builder carries no bare numbers.
export const ESPI_NS = "http://naesb.org/espi";
export const ATOM_NS = "http://www.w3.org/2005/Atom";

/** ReadingType of every reading here: interval energy delivered to the customer, in whole Wh. */
export const READING_TYPE = {
  /** AccumulationKind deltaData: each value is the energy of its own interval, not a register. */
  accumulationBehaviour: 4,
  /** CommodityKind "electricity SecondaryMetered": metered at the customer's (secondary) voltage. */
  commodity: 1,
  /** Currency ISO 4217 numeric: USD. IntervalReading.cost is in hundred-thousandths of it. */
  currency: 840,
  /** DataQualifierKind normal: the values are plain measurements, not maxima or averages. */
  dataQualifier: 12,
  /** FlowDirectionKind forward: delivered by the utility to the customer. */
  flowDirection: 1,
  /** MeasurementKind energy. */
  kind: 12,
  /** UnitMultiplierKind none (10⁰): values are Wh, not kWh. */
  powerOfTenMultiplier: 0,
  /** TimePeriodOfInterest none: plain intervals, not a billing or daily total. */
  timeAttribute: 0,
  /** UnitSymbolKind Wh. */
  uom: 72,
} as const;

/** ServiceKind electricity. */
export const SERVICE_KIND_ELECTRICITY = 0;

/**
 * UsagePoint.roleFlags (HexBinary16), bits as ESPI lists them (bit 1 = 0x0001): isPremisesAggregationPoint 0x0002,
 * isPEV 0x0004, isRevenueQuality 0x0010. The premises meter aggregates the whole premises; its intervals may also come
 * from a hub's whole-home meter, so they are not claimed as revenue quality. The EUMD's intervals are what the PEV
 * charges are billed from.
 */
export const ROLE_FLAGS = { premises: "0002", pev: "0014" } as const;

/** ESPI cost unit: 10⁻⁵ of the currency. The ledger's nano-dollars (10⁻⁹ $) are 10⁴ of them. */
export const NANO_USD_PER_ESPI_COST_UNIT = 10_000;

/**
 * QualityOfReading codes used for the EUMD's interval quality. `ok` and `partial` (a session began or ended inside the
 * interval: a true reading of less than the interval) are valid and carry no ReadingQuality.
 */
export const QUALITY = {
  /** The hub spread energy between two readings far apart pro rata by time: "estimated using linear interpolation". */
  estimated: 9,
  /** Different qualities merged into one reading (two sessions in the same interval). */
  mixed: 13,
  /** A `suspect` or `reset` interval an operator released after review (FR-15): failed a check, confirmed as real use. */
  verified: 18,
} as const;
export type QualityCode = (typeof QUALITY)[keyof typeof QUALITY];

/** ESPI cost units from nano-dollars, rounded half away from zero (as bill lines round to cents). */
export function espiCostFromNano(nano: number): number {
  const mag = Math.floor((Math.abs(nano) + NANO_USD_PER_ESPI_COST_UNIT / 2) / NANO_USD_PER_ESPI_COST_UNIT);
  return nano < 0 && mag > 0 ? -mag : mag;
}
