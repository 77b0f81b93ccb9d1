export * from "./utc.ts";
export * from "./clock.ts";
