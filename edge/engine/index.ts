export * from "./reducer.ts";
export * from "./types.ts";
