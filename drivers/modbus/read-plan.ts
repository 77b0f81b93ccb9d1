// Coalesces the fields a poll needs into as few requests as the device allows: on a 9600-baud line every
// request costs ~8 bytes plus two 3.5-character silences, so reading a few unused registers is cheaper.
import type { RegisterField, RegisterTable } from "../devices/types.ts";
import { registerCount } from "./codec.ts";

/** The Modbus protocol limit for FC03/FC04 (a 253-byte PDU). */
export const MODBUS_MAX_READ_REGISTERS = 125;

export interface ReadBlock {
  table: RegisterTable;
  start: number;
  count: number;
  fields: { name: string; field: RegisterField; offset: number }[];
}

export interface PlanLimits { maxRegistersPerRead?: number; maxGapRegisters?: number }

export function planReads(fields: Record<string, RegisterField>, names: readonly string[], limits: PlanLimits = {}): ReadBlock[] {
  const maxCount = Math.min(limits.maxRegistersPerRead ?? MODBUS_MAX_READ_REGISTERS, MODBUS_MAX_READ_REGISTERS);
  const maxGap = limits.maxGapRegisters ?? 0;
  const wanted = [...new Set(names)].map((name) => {
    const field = fields[name];
    if (!field) throw new RangeError(`register map has no field ${JSON.stringify(name)}`);
    return { name, field };
  });
  const blocks: ReadBlock[] = [];
  for (const table of ["input", "holding"] as const) {
    const inTable = wanted.filter((w) => w.field.table === table).sort((a, b) => a.field.address - b.field.address);
    let cur: ReadBlock | null = null;
    for (const { name, field } of inTable) {
      const n = registerCount(field);
      if (n > maxCount) throw new RangeError(`field ${name} spans ${n} registers, more than one read allows (${maxCount})`);
      if (cur) {
        const end = cur.start + cur.count;
        const gap = field.address - end;
        const newEnd = Math.max(end, field.address + n);
        if (gap <= maxGap && newEnd - cur.start <= maxCount) {
          cur.count = newEnd - cur.start;
          cur.fields.push({ name, field, offset: field.address - cur.start });
          continue;
        }
      }
      cur = { table, start: field.address, count: n, fields: [{ name, field, offset: 0 }] };
      blocks.push(cur);
    }
  }
  return blocks;
}
