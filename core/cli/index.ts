export * from "./options.ts";
export * from "./nearest-name.ts";
