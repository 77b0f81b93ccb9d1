// Turns register words into engineering values and back, as a register map describes them.
// One codec for the driver (decode) and the simulator (encode), so both sides agree on every byte.
import type { RegisterField } from "../devices/types.ts";

export type FieldValue = number | string;

export const registerCount = (f: RegisterField): number => {
  switch (f.type) {
    case "u16": case "i16": return 1;
    case "u32": case "i32": case "float32": return 2;
    case "float64": return 4;
    case "ascii": return f.words ?? 1;
  }
};

/** Orders the words of a multi-register value most significant first. */
function orderedBytes(words: readonly number[], f: RegisterField): Buffer {
  const ws = f.wordOrder === "low-first" ? [...words].reverse() : words;
  const b = Buffer.alloc(ws.length * 2);
  ws.forEach((w, i) => b.writeUInt16BE(w & 0xffff, i * 2));
  return b;
}

/** Decodes a field from its own registers (exactly registerCount(f) words). */
export function decodeField(f: RegisterField, words: readonly number[]): FieldValue {
  if (words.length !== registerCount(f)) throw new RangeError(`field at ${f.address} needs ${registerCount(f)} registers, got ${words.length}`);
  if (f.type === "ascii") {
    // Two characters per register, high byte first; trailing NULs and spaces are padding.
    const b = orderedBytes(words, { ...f, wordOrder: "high-first" });
    return b.toString("latin1").replace(/[\0 ]+$/, "");
  }
  const b = orderedBytes(words, f);
  let raw: number;
  switch (f.type) {
    case "u16": raw = b.readUInt16BE(0); break;
    case "i16": raw = b.readInt16BE(0); break;
    case "u32": raw = b.readUInt32BE(0); break;
    case "i32": raw = b.readInt32BE(0); break;
    case "float32": raw = b.readFloatBE(0); break;
    case "float64": raw = b.readDoubleBE(0); break;
  }
  if (f.bits) raw = Math.floor(raw / 2 ** f.bits.shift) & f.bits.mask;
  return raw * (f.scale ?? 1);
}

/** Encodes an engineering value into the field's registers (inverse of decodeField). */
export function encodeField(f: RegisterField, value: FieldValue): number[] {
  const n = registerCount(f);
  if (f.type === "ascii") {
    const s = String(value);
    const b = Buffer.alloc(n * 2);
    b.write(s.slice(0, n * 2), "latin1");
    return Array.from({ length: n }, (_, i) => b.readUInt16BE(i * 2));
  }
  if (typeof value !== "number" || !Number.isFinite(value) && f.type !== "float32" && f.type !== "float64") {
    throw new TypeError(`field at ${f.address} (${f.type}) needs a finite number, got ${String(value)}`);
  }
  let raw = value / (f.scale ?? 1);
  if (f.type !== "float32" && f.type !== "float64") raw = Math.round(raw);
  if (f.bits) raw = (raw & f.bits.mask) * 2 ** f.bits.shift;
  const b = Buffer.alloc(n * 2);
  switch (f.type) {
    case "u16": b.writeUInt16BE(clampInt(raw, 0, 0xffff, f), 0); break;
    case "i16": b.writeInt16BE(clampInt(raw, -0x8000, 0x7fff, f), 0); break;
    case "u32": b.writeUInt32BE(clampInt(raw, 0, 0xffffffff, f), 0); break;
    case "i32": b.writeInt32BE(clampInt(raw, -0x80000000, 0x7fffffff, f), 0); break;
    case "float32": b.writeFloatBE(raw, 0); break;
    case "float64": b.writeDoubleBE(raw, 0); break;
  }
  const words = Array.from({ length: n }, (_, i) => b.readUInt16BE(i * 2));
  return f.wordOrder === "low-first" ? words.reverse() : words;
}

function clampInt(raw: number, min: number, max: number, f: RegisterField): number {
  if (raw < min || raw > max) throw new RangeError(`value ${raw} does not fit ${f.type} register at ${f.address} (${min}..${max})`);
  return raw;
}
