export * from "./vin.ts";
export * from "./ids.ts";
