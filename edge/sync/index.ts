// The hub's side of sync: the durable outbox in the hub's SQLite store, the signed utility client,
// and the worker that drains and pulls config. Imports only core/ and the protocol.
export * from "./backoff.ts";
export * from "./outbox-schema.ts";
export * from "./outbox-message.ts";
export * from "./outbox.ts";
export * from "./utility-client.ts";
export * from "./sync-worker.ts";
