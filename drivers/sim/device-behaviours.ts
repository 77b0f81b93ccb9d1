// Binds the world to register maps: what each capability field reads, and what a write to it does.
// Works for any charger or meter map, so the simulated EVSE can also speak ABB's or Alfen's registers.
import type { J1772State } from "../../core/ports/index.ts";
import type { ChargerMap, MeterMap } from "../devices/types.ts";
import type { FieldValue } from "../modbus/codec.ts";
import { ModbusException, type SimDeviceBehaviour } from "./sim-device.ts";
import type { SimWorld } from "./world.ts";

function rawState(map: ChargerMap, s: J1772State): FieldValue {
  const entries = Object.entries(map.capabilities.stateValues);
  // Prefer the "ready" sub-state (B2/C2) where a map has several raw values for one J1772 state.
  const key = entries.filter(([, v]) => v === s).map(([k]) => k).sort().at(-1) ?? entries[0]![0];
  const f = map.fields[map.capabilities.state]!;
  return f.type === "ascii" ? key : Number(key);
}

export function evseBehaviour(world: SimWorld, map: ChargerMap): SimDeviceBehaviour {
  const cap = map.capabilities;
  const unitOf = (name: string) => map.fields[name]?.unit;
  // Other writable registers (phases, a communication timeout) have no effect in the simulation but keep what was
  // written, so a test can read back what the hub set.
  const written = new Map<string, FieldValue>();
  return {
    value(field) {
      if (written.has(field)) return written.get(field);
      const e = world.evse();
      if (field === cap.state) return rawState(map, e.state);
      if (field === cap.currentLimit || field === cap.currentLimitSetpoint) return cap.enable.kind === "zero-current" && !e.enabled ? 0 : e.currentLimitA;
      if (cap.enable.kind === "register" && (field === cap.enable.readField || field === cap.enable.field)) return e.enabled ? cap.enable.enabledValue : cap.enable.disabledValue;
      if (field === cap.power) return unitOf(field) === "kW" ? e.powerW / 1000 : e.powerW;
      if (field === cap.sessionEnergy) return unitOf(field) === "kWh" ? e.sessionWh / 1000 : Math.floor(e.sessionWh);
      if (field === cap.vehicleId) return e.vehicleId;
      if (field === cap.sessionCounter) return e.plugCount;
      if (unitOf(field) === "V") return e.voltageV;
      if (unitOf(field) === "A" && /max/i.test(field)) return e.maxCurrentA;
      if (unitOf(field) === "A") return e.voltageV ? e.powerW / e.voltageV : 0;
      if (field === "availability") return 1;
      return undefined;
    },
    write(field, value) {
      const v = Number(value);
      world.advance();
      if (field === cap.currentLimitSetpoint) {
        if (!Number.isFinite(v) || v < 0 || v > world.maxCurrentA) throw new ModbusException(3, `current limit ${v} A outside 0-${world.maxCurrentA} A`);
        if (cap.enable.kind === "zero-current") {
          world.enabled = v >= map.limits.minCurrentA;
          if (world.enabled) world.currentLimitA = v;
        } else {
          world.currentLimitA = v;
        }
        return;
      }
      if (cap.enable.kind === "register" && field === cap.enable.field) {
        if (v !== cap.enable.enabledValue && v !== cap.enable.disabledValue) throw new ModbusException(3, `enable value ${v} is neither ${cap.enable.enabledValue} nor ${cap.enable.disabledValue}`);
        world.enabled = v === cap.enable.enabledValue;
        return;
      }
      written.set(field, value);
    },
  };
}

export function meterBehaviour(world: SimWorld, map: MeterMap, which: "eumd" | "premises", offsetWh: () => number): SimDeviceBehaviour {
  const cap = map.capabilities;
  return {
    value(field) {
      world.advance();
      const powerW = which === "eumd" ? world.evPowerW() : world.premisesPowerW();
      const energyWh = (which === "eumd" ? world.eumdWh : world.premisesWh) - offsetWh();
      const unit = map.fields[field]?.unit;
      if (field === cap.power || (unit === "W" && field.startsWith("power") && field.endsWith("L1"))) return unit === "kW" ? powerW / 1000 : powerW;
      if (field === cap.energyImport || /totalActiveEnergy/.test(field)) return unit === "kWh" ? energyWh / 1000 : energyWh;
      if (unit === "V" && (field === cap.voltage || /L1$/.test(field) || field === "voltage")) return world.voltageV;
      if (unit === "A" && (field === cap.current || /L1$/.test(field) || field === "current")) return powerW / world.voltageV;
      if (unit === "Hz") return 60;
      if (field === "powerFactor") return 1;
      return undefined;
    },
    write() { throw new ModbusException(2, "meter registers are read-only"); },
  };
}
