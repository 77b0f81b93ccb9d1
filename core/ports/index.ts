export * from "./devices.ts";
