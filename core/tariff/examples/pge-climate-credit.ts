// PG&E's California Climate Credit for residential electric accounts (cap-and-trade proceeds returned by order of
// the CPUC): a fixed credit on the April and October bills, whatever the rate schedule (EV2-A and E-TOU-C alike)
// and whatever the usage. 2024 amount: $55.17 each time (PG&E news releases of 2024-03-11 and 2024-09-16; it was
// $38.39 in 2023 and $35.73 in April 2020, the figure quoted in issue 13). The examples are shaped after 2024.
import type { MonthCharge } from "../types.ts";

export const PGE_CLIMATE_CREDIT_2024: MonthCharge = {
  name: "California Climate Credit",
  months: [4, 10],
  microUsd: -55_170_000,
};
