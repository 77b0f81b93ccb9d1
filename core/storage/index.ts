export * from "./sqlite.ts";
export * from "./sql-store.ts";
export * from "./sqlite-store.ts";
export * from "./postgres-store.ts";
export * from "./open-store.ts";
