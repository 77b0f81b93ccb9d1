export * from "./hub-store.ts";
