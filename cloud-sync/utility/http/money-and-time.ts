// The conventions of issue 14 in one place for the HTTP answers: money rounds to integer cents once (the ledger keeps
// nano-dollars), and a machine time in UTC seconds gets an ISO-8601 copy where people read it.
export { roundToCents } from "../../../core/tariff/index.ts";

/** UTC seconds → `2024-06-03T07:00:00Z`. */
export const toIsoSeconds = (t: number): string => new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
