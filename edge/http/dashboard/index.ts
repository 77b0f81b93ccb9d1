// The homeowner's dashboard on the hub: login and CSRF guard, live events, read APIs and the static Lit bundle.
// Usage:
//   const dashboard = createDashboard({ timeZone: cfg.premises.time_zone, tariffs: premisesTariffs(cfg.premises.default_tariff, log), log });
//   const running = await startHub({ config, ports, log, guard: dashboard.guard, mount: dashboard.mount });
//   dashboard.printSetupCode(console.log, running.url);
export { createDashboard, type Dashboard, type DashboardOptions, type HubParts } from "./dashboard.ts";
export { ensureUiBuilt, DEFAULT_UI_DIST } from "./static-files.ts";
export { SESSION_COOKIE, CSRF_HEADER } from "./access-guard.ts";
export { OwnerAuth, MIN_PASSWORD_LENGTH } from "./owner-auth.ts";
