// The roaming clearinghouse (`offpeak clearinghouse`, FR-30, FR-32): utilities register, CDRs (OCPI 2.2.1 shape)
// are routed to the PEV's home utility, one CDR per session ID.
export { startClearinghouse, type ClearinghouseOptions, type RunningClearinghouse } from "./server.ts";
export { clearinghouseCommand } from "./cli.ts";
export type { OcpiCdr } from "../protocol/index.ts";
