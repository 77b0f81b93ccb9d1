export * from "./sqlite.ts";
