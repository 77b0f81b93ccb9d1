// What a Green Button download holds, before it is written as ESPI XML or CSV: the account's usage points, each
// with its readings grouped by interval length (one ESPI MeterReading + ReadingType per length).
import type { QualityCode } from "./espi-codes.ts";

export interface UsageReading {
  /** UTC seconds. */
  start: number;
  durationS: number;
  wh: number;
  /** What the head-end charged for it, nano-dollars; null where it charges nothing itself or cannot say per interval. */
  costNano: number | null;
  /** ESPI QualityOfReading; null = valid. */
  quality: QualityCode | null;
}

/** Readings of one interval length, in time order, no two with the same start. */
export interface UsageSeries { intervalS: number; readings: UsageReading[] }

export interface UsagePointUsage {
  /** Stable within the account: the premises ID, or `PEV`. Used in ESPI resource links and CSV rows. */
  key: string;
  kind: "premises" | "pev";
  title: string;
  series: UsageSeries[];
}

/** A half-open span [start, end) of UTC seconds, named as asked (`2024-06`, `2024-06-01..2024-06-15`). */
export interface UsagePeriod { start: number; end: number; label: string }

export interface AccountUsage {
  utilityId: string;
  accountId: string;
  /** The utility's IANA zone: months, days and LocalTimeParameters are in it. */
  timeZone: string;
  period: UsagePeriod;
  /** UTC seconds. */
  generatedAt: number;
  usagePoints: UsagePointUsage[];
}
