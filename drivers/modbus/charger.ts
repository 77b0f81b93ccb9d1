// A Charger (EVSE) over Modbus, described by a charger map: the engine sees J1772 states, enable and a current
// limit, never the vendor's registers.
import { DeviceError, type Charger, type ChargerStatus, type J1772State } from "../../core/ports/index.ts";
import { watts } from "../../core/units/index.ts";
import { getChargerMap } from "../devices/index.ts";
import type { ChargerMap } from "../devices/types.ts";
import { encodeField } from "./codec.ts";
import type { DeviceHealth } from "./device-health.ts";
import { FieldReader } from "./field-reader.ts";
import type { ModbusDeviceConfig } from "./meter.ts";
import { toWattHours, toWatts } from "./meter.ts";
import { ModbusLink, type LinkDeps } from "./modbus-link.ts";
import { describeTransport } from "./transport.ts";

export type ModbusCharger = Charger & DeviceHealth & { readonly map: ChargerMap; readonly name: string };

export function decodeChargerState(device: string, map: ChargerMap, raw: number | string): J1772State {
  const key = typeof raw === "string" ? raw.trim() : String(raw);
  const s = map.capabilities.stateValues[key];
  if (!s) throw new DeviceError(device, "garbage", `unknown charging state ${JSON.stringify(key)} (map ${map.id})`);
  return s;
}

/** The communication timeout the hub sets where a charger lets it: a dead hub stops the charger within a minute. */
export const FAILSAFE_TIMEOUT_S = 60;
/** How often a setpoint with a validity time is written again (a third of the 60 s default validity). */
export const FAILSAFE_KEEPALIVE_MS = 20_000;

export function createCharger(cfg: ModbusDeviceConfig, deps: LinkDeps): ModbusCharger {
  const map = typeof cfg.map === "string" ? getChargerMap(cfg.map) : cfg.map;
  if (map.kind !== "charger") throw new DeviceError(cfg.name ?? map.id, "config", `map ${map.id} describes a ${map.kind}, not a charger`);
  const name = cfg.name ?? `${map.id}@${describeTransport(cfg.transport)}`;
  const link = new ModbusLink(name, cfg.transport, deps, cfg.link);
  const cap = map.capabilities;
  const enable = cap.enable;
  const names = [cap.state, cap.currentLimit, cap.power, cap.vehicleId, cap.sessionCounter, cap.sessionEnergy, enable.kind === "register" ? enable.readField : undefined].filter((n): n is string => !!n);
  const reader = new FieldReader(link, map, names);
  // Maps without an enable read-back: the last command we gave is the truth we have.
  let commandedEnabled: boolean | undefined;
  let desiredCurrentA = map.limits.maxCurrentA;
  const maxPowerW = map.limits.maxCurrentA * map.limits.voltageV * map.limits.phases * 1.25;

  async function writeField(fieldName: string, value: number): Promise<void> {
    const f = map.fields[fieldName];
    if (!f) throw new DeviceError(name, "config", `map ${map.id} has no field ${fieldName}`);
    await link.writeRegisters(f.address, encodeField(f, value));
  }

  const fs = map.failsafe;
  const timeoutField = fs?.timeoutField ? map.fields[fs.timeoutField] : undefined;
  const failsafe = fs && fs.mechanism !== "none" ? {
    describe: `${fs.mechanism}: ${fs.onTimeout}`,
    // A setpoint that expires (Alfen: default validity 60 s) is rewritten well inside it; a plain timeout is fed by polls.
    keepAliveMs: fs.mechanism === "setpoint-validity" ? FAILSAFE_KEEPALIVE_MS : null,
    async arm(): Promise<void> {
      if (timeoutField?.writable) await writeField(fs.timeoutField!, FAILSAFE_TIMEOUT_S);
    },
  } : undefined;

  const charger: ModbusCharger = {
    map,
    name,
    limits: map.limits,
    ...(failsafe ? { failsafe } : {}),
    get online() { return link.online; },
    get lastError() { return link.lastError; },
    get lastOkAt() { return link.lastOkAt; },
    onHealthChange: (cb) => link.onHealthChange(cb),

    async readStatus(): Promise<ChargerStatus> {
      const v = await reader.read();
      const state = decodeChargerState(name, map, v[cap.state]!);
      const currentLimitA = cap.currentLimit ? Number(v[cap.currentLimit]) : desiredCurrentA;
      if (!Number.isFinite(currentLimitA) || currentLimitA < 0 || currentLimitA > 100) throw new DeviceError(name, "garbage", `current limit ${currentLimitA} A is not plausible`);
      let enabled: boolean;
      if (enable.kind === "register" && enable.readField) enabled = Number(v[enable.readField]) === enable.enabledValue;
      else if (enable.kind === "zero-current") enabled = currentLimitA >= map.limits.minCurrentA;
      else enabled = commandedEnabled ?? (state === "C" || state === "D");
      const status: ChargerStatus = { state, enabled, currentLimitA };
      if (cap.power) {
        const p = toWatts(v[cap.power]!, map.fields[cap.power]!.unit);
        if (!Number.isFinite(p) || p < 0 || p > maxPowerW) throw new DeviceError(name, "garbage", `charging power ${p} W is not plausible for ${map.model}`);
        status.powerW = watts(p);
      }
      if (cap.vehicleId) {
        const id = String(v[cap.vehicleId] ?? "").trim();
        if (id) status.vehicleId = id;
      }
      if (cap.sessionCounter) status.sessionId = String(v[cap.sessionCounter]).trim();
      if (cap.sessionEnergy) {
        const e = toWattHours(v[cap.sessionEnergy]!, map.fields[cap.sessionEnergy]!.unit);
        if (!Number.isFinite(e) || e < 0) throw new DeviceError(name, "garbage", `session energy ${e} Wh is not plausible`);
        status.sessionEnergyWh = Math.round(e);
      }
      return status;
    },

    async setEnabled(on: boolean): Promise<void> {
      if (enable.kind === "register") await writeField(enable.field, on ? enable.enabledValue : enable.disabledValue);
      else await writeField(cap.currentLimitSetpoint, on ? desiredCurrentA : 0);
      commandedEnabled = on;
    },

    async setCurrentLimit(amps: number): Promise<void> {
      const { minCurrentA, maxCurrentA } = map.limits;
      if (!Number.isFinite(amps) || amps < minCurrentA || amps > maxCurrentA) {
        throw new DeviceError(name, "config", `current limit ${amps} A is outside ${minCurrentA}-${maxCurrentA} A for ${map.model}`);
      }
      desiredCurrentA = amps;
      // With zero-current enable, a held EVSE stays at 0 A; the new limit applies when it is enabled.
      if (enable.kind === "zero-current" && commandedEnabled === false) return;
      await writeField(cap.currentLimitSetpoint, amps);
    },

    close: () => link.close(),
  };
  return charger;
}
