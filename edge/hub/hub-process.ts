// A hub as `offpeak hub` runs it: devices from the config, the PEV link server, the utility link and the
// dashboard, around startHub(). Each part is optional so the hub still runs (and falls back) when one is missing.
import type { Meter } from "../../core/ports/devices.ts";
import type { HubConfig } from "../config/schema.ts";
import { chargerFrom, meterFrom } from "./devices.ts";
import type { HubPorts } from "./ports.ts";
import { startHub, type RunningHub } from "./runtime.ts";
import { RealClock, ScaledClock, type Clock } from "../../core/time/clock.ts";

export interface HubProcessOptions { sync: boolean; dashboard: boolean; clock?: Clock; log?: (line: string) => void; zigbeeMeter?: (ieee: string, endpoint: number) => Meter }

export async function startHubProcess(config: HubConfig, o: HubProcessOptions): Promise<RunningHub> {
  const log = o.log ?? ((l: string) => console.log(l));
  const clock = o.clock ?? (config.hub.speed === 1 ? new RealClock() : new ScaledClock(config.hub.speed));
  const deps = { clock, log };
  const ports: HubPorts = {
    charger: await chargerFrom(config.devices.charger, "devices.charger", deps),
    eumd: await meterFrom(config.devices.eumd, "devices.eumd", deps, o.zigbeeMeter),
    premisesMeter: await meterFrom(config.devices.premises_meter, "devices.premises_meter", deps, o.zigbeeMeter),
    pevLink: null,
    utility: null,
    reports: null,
    displays: [],
  };
  const running = await startHub({ config, ports, clock, log });
  return {
    ...running,
    async stop() {
      await running.stop();
      for (const d of [ports.charger, ports.eumd, ports.premisesMeter]) await d?.close().catch(() => {});
    },
  };
}
