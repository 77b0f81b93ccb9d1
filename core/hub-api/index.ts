// The hub's HTTP API as data: one declared type per view the hub serves, built by edge/http and read by ui/.
// Types only: the dashboard imports them with `import type`, so nothing here reaches its bundle.
export type * from "./status.ts";
export type * from "./pricing.ts";
export type * from "./sessions.ts";
export type * from "./now.ts";
export type * from "./usage.ts";
export type * from "./program.ts";
export type * from "./devices.ts";
export type * from "./settings.ts";
export type * from "./answers.ts";
export type * from "./error.ts";
