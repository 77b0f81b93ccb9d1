// Wires the dashboard into a hub: the access guard (runs before the hub's own API routes), the auth routes, the
// read APIs, live events and the static bundle. One object per hub process; `guard` and `mount` are handed to
// startHub, and the CLI prints `setupCode()` on the console at first run.
import type { Hono, MiddlewareHandler } from "hono";
import type { Clock } from "../../../core/time/index.ts";
import type { Hub } from "../../hub/hub.ts";
import type { OcppNetwork, ZigbeeNetwork } from "../../hub/ports.ts";
import type { HubTariffs } from "../../hub/session-tariff.ts";
import type { HubStore } from "../../store/hub-store.ts";
import { accessGuard } from "./access-guard.ts";
import { authRoutes } from "./auth-routes.ts";
import type { DashboardContext, OutboxReadout } from "./dashboard-views.ts";
import { mountLiveEvents } from "./live-events.ts";
import { LoginRateLimit } from "./login-rate-limit.ts";
import { OwnerAuth } from "./owner-auth.ts";
import { readApi } from "./read-api.ts";
import { SessionPricing } from "./tariff-lookup.ts";
import { zigbeeApi } from "./zigbee-api.ts";
import { ocppApi } from "./ocpp-api.ts";
import { vehicleTagsApi } from "./vehicle-tags-api.ts";
import { DEFAULT_UI_DIST, mountStaticFiles } from "./static-files.ts";

export interface DashboardOptions {
  /** The premises' IANA zone (config premises.time_zone): every time on the page is shown in it. */
  timeZone: string;
  /** The tariffs the hub prices with (edge/hub premisesTariffs): the premises default and program tariffs by ID. */
  tariffs: HubTariffs;
  /** The sync outbox, once the utility link exists (asked per request); omit when the hub runs without sync. */
  outbox?: () => OutboxReadout | null;
  log?: (line: string) => void;
  /** Where the built bundle lives; built on demand when missing. */
  distDir?: string;
  /** Login attempts allowed per client per minute (default 5). */
  loginAttemptsPerMinute?: number;
  /** Login attempts allowed per minute across all clients (default 30). */
  loginAttemptsPerMinuteAllClients?: number;
  /** The Zigbee network, when [zigbee] is configured: listed on the Devices page with a permit-join button. */
  zigbee?: ZigbeeNetwork | null;
  /** The OCPP central system, when the charger is an OCPP one: the Devices page lists pending charge points. */
  ocpp?: OcppNetwork | null;
}

/** `hubs`: every charge point's engine ([devices.charger]'s first), a live list; absent = `hub` alone. */
export interface HubParts { hub: Hub; hubs?: readonly Hub[]; store: HubStore; clock: Clock }

export interface Dashboard {
  /** Pass as startHub's `guard`: login, CSRF and secure headers in front of every route but /healthz. */
  guard: (parts: HubParts) => MiddlewareHandler;
  /** Pass as startHub's `mount`. */
  mount: (app: Hono, parts: HubParts) => void;
  /** The one-time setup code while no password is set (null after setup, or before startHub ran). */
  setupCode(): string | null;
  /** Prints the setup banner (for the CLI's console) if a setup code is pending; returns whether it printed. */
  printSetupCode(print: (line: string) => void, url: string): boolean;
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const log = opts.log ?? ((l: string) => console.log(l));
  let auth: OwnerAuth | null = null;
  const limits = {
    perClient: new LoginRateLimit(opts.loginAttemptsPerMinute ?? 5, 60_000),
    allClients: new LoginRateLimit(opts.loginAttemptsPerMinuteAllClients ?? 30, 60_000),
  };
  const authFor = (store: HubStore): OwnerAuth => {
    if (!auth) {
      auth = new OwnerAuth(store);
      const code = auth.setupCode();
      if (code) log(`dashboard: no password is set yet; one-time setup code: ${code}`);
    }
    return auth;
  };
  return {
    guard: (parts) => accessGuard(authFor(parts.store)),
    mount(app, parts) {
      const a = authFor(parts.store);
      let last: { powerW: number; at: number } | null = null;
      const ctx: DashboardContext = {
        hub: parts.hub, hubs: parts.hubs ?? [parts.hub], store: parts.store, timeZone: opts.timeZone, pricing: new SessionPricing(opts.tariffs, log),
        lastReading: () => last, zigbee: opts.zigbee ?? null, ocpp: opts.ocpp ?? null, outbox: opts.outbox ?? (() => null),
      };
      parts.hub.onChange((ch) => {
        if (ch.kind === "reading" && ch.device === "eumd") last = { powerW: ch.powerW, at: ch.at };
      });
      app.route("/", authRoutes(a, limits));
      app.route("/", readApi(ctx, parts.clock, () => a.guestView()));
      app.route("/", zigbeeApi(ctx));
      app.route("/", ocppApi(ctx));
      app.route("/", vehicleTagsApi(ctx, parts.clock));
      mountLiveEvents(app, ctx, parts.clock);
      mountStaticFiles(app, opts.distDir ?? DEFAULT_UI_DIST, log);
    },
    setupCode: () => auth?.setupCode() ?? null,
    printSetupCode(print, url) {
      const code = auth?.setupCode();
      if (!code) return false;
      print("");
      print(`  Offpeak dashboard: first run. Open ${url} and enter this one-time setup code to set the owner's password:`);
      print(`      ${code}`);
      print("");
      return true;
    },
  };
}
