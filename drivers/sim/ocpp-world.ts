// The simulated charge point as part of the simulated world (demo, story): it connects to the hub's central system
// like a real charger (and keeps reconnecting, as a charger does when its backend is away), the world's vehicle
// plugging in or leaving is what it reports, the current its charging profiles allow is what the vehicle is offered,
// and its energy register is the circuit's meter (the same register the Modbus EUMD serves, resets included).
import { createHash } from "node:crypto";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { SimChargePoint } from "./ocpp-charge-point.ts";
import type { SimPev, SimWorld } from "./world.ts";

export interface SimOcppOptions {
  /** The hub's central system, e.g. ws://127.0.0.1:8887/ocpp/ (the charge point ID is appended). */
  url: string;
  id: string;
  password?: string;
  caPem?: string;
  clock: Clock;
  log?: (line: string) => void;
  /** How often a charge point without its backend tries again, ms of clock time. Default 5 s. */
  retryMs?: number;
}

/** The Autocharge identity a vehicle presents when it has no RFID card of its own: VID:<MAC>, the MAC derived from the VIN. */
export function autochargeTagOf(vin: string): string {
  return `VID:${createHash("sha256").update(vin).digest("hex").slice(0, 12).toUpperCase()}`;
}

export const idTagOf = (pev: Pick<SimPev, "vin" | "idTag">): string => pev.idTag ?? autochargeTagOf(pev.vin);

export class SimOcppWorld {
  readonly chargePoint: SimChargePoint;
  private timer: TimerHandle | null = null;
  private connecting = false;
  private stopped = false;

  constructor(world: SimWorld, private readonly eumdWh: () => number, private readonly o: SimOcppOptions) {
    this.chargePoint = new SimChargePoint({
      url: o.url, id: o.id, clock: o.clock, voltageV: world.voltageV, vehicleMaxA: world.maxCurrentA,
      ...(o.password !== undefined ? { password: o.password } : {}), ...(o.caPem ? { caPem: o.caPem } : {}), ...(o.log ? { log: o.log } : {}),
      vehicle: {
        offer: (amps) => {
          world.advance();
          world.enabled = amps >= 6;
          if (amps >= 6) world.currentLimitA = amps;
        },
        powerW: () => { world.advance(); return world.evPowerW(); },
        energyWh: () => { world.advance(); return this.eumdWh(); },
      },
    });
    world.onPlugChange((plugged, pev) => {
      if (plugged && pev) void this.chargePoint.plugIn(idTagOf(pev));
      else void this.chargePoint.unplug();
    });
    // A vehicle already plugged in when the charge point starts (offpeak sim --plugged): it reports it once it can.
    const already = world.pev();
    if (already?.plugged) void this.chargePoint.plugIn(idTagOf(already));
  }

  /** Connects now and keeps the connection up. */
  start(): void {
    this.stopped = false;
    // Like a charger's own retry: soon at first, backing off to once a minute while the backend stays away.
    const first = this.o.retryMs ?? 5000;
    let wait = first;
    const retry = () => {
      this.timer = null;
      if (this.stopped) return;
      if (this.chargePoint.connected) wait = first;
      else if (!this.connecting) {
        this.connecting = true;
        this.chargePoint.connect()
          .then(() => { wait = first; })
          .catch((e: Error) => { if (wait === first) this.o.log?.(`sim ocpp ${this.o.id}: ${e.message}; trying again`); wait = Math.min(wait * 2, 60_000); })
          .finally(() => { this.connecting = false; });
      }
      this.timer = this.o.clock.setTimeout(retry, wait);
    };
    retry();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    await this.chargePoint.stop();
  }
}
