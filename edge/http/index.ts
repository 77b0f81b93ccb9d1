export * from "./dashboard/dashboard-views.ts";
export * from "./dashboard/index.ts";
export { hubOpenApi } from "./openapi.ts";
