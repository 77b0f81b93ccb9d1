export * from "./session-batch.ts";
