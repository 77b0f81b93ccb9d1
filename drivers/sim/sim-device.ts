// A simulated Modbus device: a register map plus live values from the world. Reads encode the map's fields
// with the same codec the driver decodes with; writes to writable fields call back into the world.
import { encodeField, decodeField, registerCount, type FieldValue } from "../modbus/codec.ts";
import type { DeviceMap, RegisterTable } from "../devices/types.ts";
import { FaultSlot } from "./faults.ts";

export class ModbusException extends Error {
  constructor(readonly code: number, detail: string) {
    super(`exception ${code}: ${detail}`);
  }
}

export interface SimDeviceBehaviour {
  /** Current engineering value of a field, by field name; undefined reads as 0. */
  value(field: string): FieldValue | undefined;
  /** A write to a writable field; throw ModbusException(3) to refuse the value. */
  write(field: string, value: FieldValue): void;
}

export class SimDevice {
  readonly fault = new FaultSlot();
  private readonly bounds: Record<RegisterTable, { min: number; end: number } | null> = { input: null, holding: null };

  constructor(readonly target: "evse" | "eumd" | "premises", readonly unitId: number, readonly map: DeviceMap, private readonly behaviour: SimDeviceBehaviour) {
    for (const f of Object.values(map.fields)) {
      const b = this.bounds[f.table];
      const end = f.address + registerCount(f);
      this.bounds[f.table] = b ? { min: Math.min(b.min, f.address), end: Math.max(b.end, end) } : { min: f.address, end };
    }
  }

  /** `energyFactor` multiplies the energy registers (unit Wh or kWh): a meter that lies (fault "energy-x10"). */
  read(table: RegisterTable, start: number, count: number, energyFactor = 1): number[] {
    if (count < 1 || count > 125) throw new ModbusException(3, `register count ${count} outside 1-125`);
    const b = this.bounds[table];
    if (!b || start < b.min || start + count > b.end) throw new ModbusException(2, `${table} registers ${start}-${start + count - 1} not in this device`);
    const words = new Array<number>(count).fill(0);
    for (const [name, f] of Object.entries(this.map.fields)) {
      if (f.table !== table) continue;
      const n = registerCount(f);
      if (f.address + n <= start || f.address >= start + count) continue;
      const v = this.behaviour.value(name) ?? (f.type === "ascii" ? "" : 0);
      const encoded = encodeField(f, energyFactor !== 1 && typeof v === "number" && (f.unit === "Wh" || f.unit === "kWh") ? v * energyFactor : v);
      for (let i = 0; i < n; i++) {
        const a = f.address + i;
        if (a >= start && a < start + count) words[a - start] = encoded[i]!;
      }
    }
    return words;
  }

  write(start: number, words: number[]): void {
    const hit = Object.entries(this.map.fields).find(([, f]) => f.table === "holding" && f.writable && f.address === start && registerCount(f) === words.length);
    if (!hit) throw new ModbusException(2, `no writable field of ${words.length} registers at ${start}`);
    const [name, f] = hit;
    this.behaviour.write(name, decodeField(f, words));
  }
}
