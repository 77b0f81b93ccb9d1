// core/: the pure domain. No I/O, imports nothing of ours outside core/.
export * from "./ids/index.ts";
export * from "./units/index.ts";
export * from "./time/index.ts";
export * from "./ports/index.ts";
export * from "./binding/index.ts";
export * from "./hub-api/index.ts";
