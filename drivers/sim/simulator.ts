// Starts the virtual EVSE, PEV, EUMD and premises meter, each serving real Modbus TCP on loopback.
// Unit ids are fixed (EVSE 1, EUMD 2, premises 3) whether the devices share one port or have their own.
import type { Clock } from "../../core/time/index.ts";
import { getChargerMap, getMeterMap } from "../devices/index.ts";
import { evseBehaviour, meterBehaviour } from "./device-behaviours.ts";
import type { FaultSpec } from "./faults.ts";
import { SimDevice } from "./sim-device.ts";
import { startModbusRtuServer, type ModbusRtuServer, type RtuServerOptions } from "./rtu-server.ts";
import { startModbusTcpServer, type ModbusTcpServer } from "./tcp-server.ts";
import { SimWorld, type SimEvseState, type SimPev } from "./world.ts";
import { SimOcppWorld, type SimOcppOptions } from "./ocpp-world.ts";

export type SimTarget = "evse" | "eumd" | "premises";
export const SIM_UNITS = { evse: 1, eumd: 2, premises: 3 } as const;

export interface SimScriptStep { afterMs: number; action: "plug" | "unplug"; pev?: Partial<SimPev> }

export interface SimOptions {
  clock: Clock;
  host?: string;
  /** 0 (default) = an ephemeral port of its own; equal non-zero ports share one server (by unit id). */
  evsePort?: number;
  eumdPort?: number;
  premisesPort?: number;
  pev?: { vin: string; batteryWh: number; socPct: number; maxPowerW: number; secretHex?: string };
  houseLoadW?: number;
  /** Period of the background physics tick (energy is integrated exactly anyway; the tick keeps the state fresh for observers). 0 = none. */
  tickMs?: number;
  /** Register map the EVSE serves: the simulator's own (default) or a vendor's, e.g. "abb-terra-ac". */
  evseMap?: string;
  /** Plug/unplug steps on the Clock, from start. */
  script?: SimScriptStep[];
  maxCurrentA?: number;
  voltageV?: number;
}

export interface Simulator {
  readonly ports: { evse: number; eumd: number; premises: number };
  readonly units: { evse: number; eumd: number; premises: number };
  readonly host: string;
  plug(pev?: Partial<SimPev>): void;
  unplug(): void;
  pev(): SimPev | null;
  evse(): SimEvseState;
  /** The EUMD's cumulative register value, Wh (after any injected reset). */
  eumdWh(): number;
  premisesWh(): number;
  setHouseLoad(w: number): void;
  fault(target: SimTarget, fault: FaultSpec | null): void;
  /** `eumdWh`: the EUMD's register at the instant of the change (after any injected reset). */
  onPlugChange(cb: (plugged: boolean, pev: SimPev | null, eumdWh: number) => void): void;
  /** Every change of the EVSE's output (enabled or held). */
  onEnableChange(cb: (enabled: boolean) => void): void;
  /** Also serves all three devices as Modbus RTU slaves on a serial line (a pty end or an adapter). */
  serveRtu(opts: Omit<RtuServerOptions, "onReset">): ModbusRtuServer;
  close(): Promise<void>;
  /**
   * The EVSE as an OCPP 1.6J charge point instead: it connects to the hub's central system and drives this world's
   * vehicle; the Modbus EVSE unit is then left alone by the hub.
   */
  startOcppChargePoint(o: SimOcppOptions): SimOcppWorld;
}

export async function startSimulator(opts: SimOptions): Promise<Simulator> {
  const host = opts.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") throw new RangeError(`simulator host ${host}: only loopback (127.0.0.1, ::1) is allowed`);
  const world = new SimWorld(opts.clock, opts.maxCurrentA ?? 32, opts.voltageV ?? 240, opts.houseLoadW ?? 800);
  const offsets = { eumd: 0, premises: 0 };
  const devices = {
    evse: new SimDevice("evse", SIM_UNITS.evse, getChargerMap(opts.evseMap ?? "offpeak-sim-evse"), evseBehaviour(world, getChargerMap(opts.evseMap ?? "offpeak-sim-evse"))),
    eumd: new SimDevice("eumd", SIM_UNITS.eumd, getMeterMap("eastron-sdm120"), meterBehaviour(world, getMeterMap("eastron-sdm120"), "eumd", () => offsets.eumd)),
    premises: new SimDevice("premises", SIM_UNITS.premises, getMeterMap("eastron-sdm630"), meterBehaviour(world, getMeterMap("eastron-sdm630"), "premises", () => offsets.premises)),
  };
  const reset = (d: SimDevice) => {
    world.advance();
    // A meter reset (or a replaced meter): its cumulative register restarts from zero.
    if (d.target === "eumd") offsets.eumd = world.eumdWh;
    else if (d.target === "premises") offsets.premises = world.premisesWh;
    else world.resetSessionEnergy();
  };

  const rtuServers: ModbusRtuServer[] = [];
  const ocppPoints: SimOcppWorld[] = [];
  // Group devices by requested port: 0 = own ephemeral server.
  const servers: ModbusTcpServer[] = [];
  const ports = { evse: 0, eumd: 0, premises: 0 };
  const groups = new Map<number, SimTarget[]>();
  const solo: SimTarget[] = [];
  for (const t of ["evse", "eumd", "premises"] as const) {
    const p = opts[`${t}Port`] ?? 0;
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`${t}Port ${p} must be 0-65535`);
    if (p === 0) solo.push(t);
    else groups.set(p, [...(groups.get(p) ?? []), t]);
  }
  try {
    for (const [p, targets] of groups) {
      const s = await startModbusTcpServer(host, p, targets.map((t) => devices[t]), reset);
      servers.push(s);
      for (const t of targets) ports[t] = s.port;
    }
    for (const t of solo) {
      const s = await startModbusTcpServer(host, 0, [devices[t]], reset);
      servers.push(s);
      ports[t] = s.port;
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }

  if (opts.pev) world.plug({ ...opts.pev });
  const timers = (opts.script ?? []).map((step) => opts.clock.setTimeout(() => (step.action === "plug" ? world.plug(step.pev) : world.unplug()), step.afterMs));
  let tick: ReturnType<Clock["setTimeout"]> | null = null;
  const tickMs = opts.tickMs ?? 0;
  const scheduleTick = () => { tick = opts.clock.setTimeout(() => { world.advance(); scheduleTick(); }, tickMs); };
  if (tickMs > 0) scheduleTick();

  return {
    ports,
    units: { ...SIM_UNITS },
    host,
    plug: (pev) => world.plug(pev),
    unplug: () => world.unplug(),
    pev: () => world.pev(),
    evse: () => world.evse(),
    eumdWh: () => { world.advance(); return world.eumdWh - offsets.eumd; },
    premisesWh: () => { world.advance(); return world.premisesWh - offsets.premises; },
    setHouseLoad: (w) => {
      if (!Number.isFinite(w) || w < 0) throw new RangeError(`house load ${w} W must be a non-negative number`);
      world.advance();
      world.houseLoadW = w;
    },
    fault: (target, fault) => {
      const d = devices[target];
      if (!d) throw new RangeError(`unknown fault target ${JSON.stringify(target)}: expected evse, eumd or premises`);
      if (fault?.kind === "reset-register") { reset(d); return; }
      d.fault.set(fault);
    },
    onPlugChange: (cb) => world.onPlugChange((plugged, pev, eumdWh) => cb(plugged, pev, eumdWh - offsets.eumd)),
    onEnableChange: (cb) => world.onEnableChange(cb),
    serveRtu: (o) => {
      const r = startModbusRtuServer({ ...o, onReset: reset }, [devices.evse, devices.eumd, devices.premises]);
      rtuServers.push(r);
      return r;
    },
    close: async () => {
      await Promise.all(ocppPoints.map((c) => c.stop()));
      await Promise.all(rtuServers.map((r) => r.close()));
      for (const t of timers) opts.clock.clearTimeout(t);
      if (tick) opts.clock.clearTimeout(tick);
      await Promise.all(servers.map((s) => s.close()));
    },
    startOcppChargePoint: (o) => {
      const cp = new SimOcppWorld(world, () => world.eumdWh - offsets.eumd, o);
      ocppPoints.push(cp);
      cp.start();
      return cp;
    },
  };
}
