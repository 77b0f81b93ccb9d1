// Reads named fields of a register map over a link, in as few requests as the read plan allows.
import type { MapCommon } from "../devices/types.ts";
import { decodeField, registerCount, type FieldValue } from "./codec.ts";
import type { ModbusLink } from "./modbus-link.ts";
import { planReads, type ReadBlock } from "./read-plan.ts";

export class FieldReader {
  private readonly blocks: ReadBlock[];
  constructor(private readonly link: ModbusLink, map: MapCommon, names: readonly string[]) {
    this.blocks = planReads(map.fields, names, map);
  }

  get requestsPerRead(): number { return this.blocks.length; }

  async read(): Promise<Record<string, FieldValue>> {
    const out: Record<string, FieldValue> = {};
    for (const b of this.blocks) {
      const words = await this.link.readRegisters(b.table, b.start, b.count);
      for (const { name, field, offset } of b.fields) out[name] = decodeField(field, words.slice(offset, offset + registerCount(field)));
    }
    return out;
  }
}
