export * from "./energy.ts";
