// Starts a whole hub process: store, engine shell, HTTP server. Devices, the PEV link and the utility client
// are passed in as ports, so the same start-up serves production (drivers), the demo (simulator) and tests (doubles).
import { join } from "node:path";
import type { PremisesId, UtilityId } from "../../core/ids/index.ts";
import { type Clock, processClock } from "../../core/time/index.ts";
import type { HubConfig } from "../config/schema.ts";
import type { EngineSettings } from "../engine/types.ts";
import { createHubApi } from "../http/app.ts";
import { ownHostNames } from "../http/host-check.ts";
import { HubStore } from "../store/hub-store.ts";
import { Hub, type HubOptions } from "./hub.ts";
import type { HubPorts } from "./ports.ts";
import type { Hono, MiddlewareHandler } from "hono";

export interface RunningHub {
  hub: Hub;
  store: HubStore;
  clock: Clock;
  url: string;
  port: number;
  app: Hono;
  stop(): Promise<void>;
}

export function engineSettings(cfg: HubConfig): EngineSettings {
  return {
    premisesId: cfg.premises.id as PremisesId,
    utilityId: cfg.premises.utility_id as UtilityId,
    commWaitS: cfg.session.comm_wait_s,
    intervalS: cfg.session.interval_s,
    pendingIntervalS: null,
    fallbackPreference: cfg.session.fallback,
    maxCurrentA: cfg.session.max_current_a,
    maxPowerW: cfg.session.max_current_a * cfg.session.voltage_v,
  };
}

export class PortInUseError extends Error {}

export interface StartHubOptions {
  config: HubConfig;
  ports: HubPorts;
  clock?: Clock;
  log?: (line: string) => void;
  /** Tariffs for off-peak, planning and estimates. */
  tariffs?: HubOptions["tariffs"];
  /** Runs after the hub and store exist and before the hub starts: wire ports that need them (the utility link). */
  beforeStart?: (running: { hub: Hub; store: HubStore; clock: Clock }) => void;
  /** Extra routes (dashboard, auth, live events) mounted before the server starts. */
  mount?: (app: Hono, running: Omit<RunningHub, "url" | "port" | "stop" | "app">) => void;
  /** Middleware run before every API route except /healthz (the dashboard's login; see edge/http/dashboard). */
  guard?: (running: Omit<RunningHub, "url" | "port" | "stop" | "app">) => MiddlewareHandler;
}

export async function startHub(opts: StartHubOptions): Promise<RunningHub> {
  const { config } = opts;
  const clock = opts.clock ?? processClock(undefined, config.hub.speed);
  const store = new HubStore(join(config.hub.data_dir, "hub.sqlite"));
  const hub = new Hub({ store, clock, settings: engineSettings(config), ports: opts.ports, pollMs: config.hub.poll_ms, log: opts.log, tariffs: opts.tariffs, idOnlyFallback: config.pevlink.id_only });
  const startedAtMs = Date.now();
  const app = createHubApi({
    hub, store, clock, startedAtMs, guard: opts.guard?.({ hub, store, clock }), log: opts.log,
    allowedHosts: ownHostNames(config.hub.host, config.hub.allowed_hosts),
  });
  opts.mount?.(app, { hub, store, clock });
  const hostname = config.hub.lan ? "0.0.0.0" : config.hub.host;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname, port: config.hub.port, fetch: app.fetch, idleTimeout: 0 });
  } catch (e) {
    store.close();
    const msg = (e as Error).message;
    if (/EADDRINUSE|in use/i.test(msg)) throw new PortInUseError(`hub: port ${config.hub.port} on ${hostname} is already in use; stop the other program or set [hub] port (OFFPEAK_HUB_PORT)`);
    throw e;
  }
  opts.beforeStart?.({ hub, store, clock });
  hub.start();
  const url = `http://${hostname === "0.0.0.0" ? "127.0.0.1" : hostname}:${server.port}`;
  return {
    hub, store, clock, app, url, port: server.port!,
    async stop() {
      await hub.stop();
      server.stop(true);
      store.close();
    },
  };
}
