export * from "./load.ts";
