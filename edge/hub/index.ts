export * from "./hub-keys.ts";
export * from "./hub-process.ts";
export * from "./runtime.ts";
