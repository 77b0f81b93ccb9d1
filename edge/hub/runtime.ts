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
  /** The engine of the hub's own charger ([devices.charger]): the single-charger hub's only one. */
  hub: Hub;
  /** Every charge point's engine, [devices.charger]'s first (issue 16 item 7). */
  hubs: Hub[];
  /** Starts one more charge point's engine in the running hub (an OCPP charge point the owner just accepted). */
  addChargePoint(id: string, ports: HubPorts): Hub;
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
  beforeStart?: (running: { hub: Hub; hubs: Hub[]; store: HubStore; clock: Clock }) => void;
  /** More charge points beside [devices.charger] ([[charge_points]]), each with its own ports and engine. */
  chargePoints?: { id: string; ports: HubPorts }[];
  /** Extra routes (dashboard, auth, live events) mounted before the server starts. */
  mount?: (app: Hono, running: Omit<RunningHub, "url" | "port" | "stop" | "app" | "addChargePoint">) => void;
  /** Middleware run before every API route except /healthz (the dashboard's login; see edge/http/dashboard). */
  guard?: (running: Omit<RunningHub, "url" | "port" | "stop" | "app" | "addChargePoint">) => MiddlewareHandler;
}

/**
 * How many session numbers one engine's share repeats over once a hub has more than one charge point: the engine at
 * position i numbers its sessions i, i + 1000, ... (always above every number stored). A hub with one charge point
 * numbers them 1, 2, 3 as it always did.
 */
export const SEQ_SLOTS = 1000;

export async function startHub(opts: StartHubOptions): Promise<RunningHub> {
  const { config } = opts;
  const clock = opts.clock ?? processClock(undefined, config.hub.speed);
  const store = new HubStore(join(config.hub.data_dir, "hub.sqlite"));
  const extra = opts.chargePoints ?? [];
  if (extra.length >= SEQ_SLOTS) throw new Error(`hub: at most ${SEQ_SLOTS - 1} charge points besides [devices.charger]`);
  const slot = (index: number, count: number) => (count > 1 ? { seqSlot: { index, of: SEQ_SLOTS } } : {});
  const engineOf = (id: string | null, ports: HubPorts, index: number, count: number) => new Hub({
    store, clock, settings: engineSettings(config), ports, pollMs: config.hub.poll_ms, log: opts.log, tariffs: opts.tariffs,
    idOnlyFallback: config.pevlink.id_only, chargePoint: { id, ...slot(index, count) },
  });
  const count = 1 + extra.length;
  const hub = engineOf(null, opts.ports, 0, count);
  const hubs = [hub, ...extra.map((cp, n) => engineOf(cp.id, cp.ports, n + 1, count))];
  const startedAtMs = Date.now();
  const app = createHubApi({
    hub, hubs, store, clock, startedAtMs, guard: opts.guard?.({ hub, hubs, store, clock }), log: opts.log,
    allowedHosts: ownHostNames(config.hub.host, config.hub.allowed_hosts),
  });
  opts.mount?.(app, { hub, hubs, store, clock });
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
  opts.beforeStart?.({ hub, hubs, store, clock });
  for (const h of hubs) h.start();
  const url = `http://${hostname === "0.0.0.0" ? "127.0.0.1" : hostname}:${server.port}`;
  return {
    hub, hubs, store, clock, app, url, port: server.port!,
    addChargePoint(id: string, ports: HubPorts): Hub {
      if (hubs.some((h) => h.chargePointId === id)) throw new Error(`hub: charge point ${id} already runs`);
      if (hubs.length >= SEQ_SLOTS) throw new Error(`hub: at most ${SEQ_SLOTS} charge points`);
      // The running engines take their share of the session numbers first, so no two can ever pick the same one.
      hubs.forEach((h, n) => h.reslot({ index: n, of: SEQ_SLOTS }));
      const added = engineOf(id, ports, hubs.length, SEQ_SLOTS);
      hubs.push(added);
      added.start();
      return added;
    },
    async stop() {
      for (const h of hubs) await h.stop();
      server.stop(true);
      store.close();
    },
  };
}
