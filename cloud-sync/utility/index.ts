// The utility head-end (`offpeak utility`): enrollment, binding validation, AMI intake and load correlation,
// session intake into a double-entry ledger, guest and roaming settlement, DR events, monthly bills, S4 API.
// It is another organisation's system: it never imports edge/ or drivers/.
export type * from "./types.ts";
export { startUtility, type RunningUtility } from "./server.ts";
export { utilityCommand } from "./cli.ts";
export { seedDemo, type DemoSeed, type DemoSeedOptions } from "./seed-demo.ts";
