// Modbus application-layer requests (FC03, FC04, FC06, FC16) answered from a SimDevice; shared by the TCP
// and the RTU servers so both framings serve exactly the same registers.
import { ModbusException, type SimDevice } from "./sim-device.ts";

export function exceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([fc | 0x80, code]);
}

export function handlePdu(device: SimDevice, pdu: Buffer, energyFactor = 1): Buffer {
  const fc = pdu[0] ?? 0;
  try {
    switch (fc) {
      case 3: case 4: {
        if (pdu.length < 5) throw new ModbusException(3, "short request");
        const start = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        const words = device.read(fc === 3 ? "holding" : "input", start, count, energyFactor);
        const out = Buffer.alloc(2 + words.length * 2);
        out[0] = fc;
        out[1] = words.length * 2;
        words.forEach((w, i) => out.writeUInt16BE(w, 2 + i * 2));
        return out;
      }
      case 6: {
        if (pdu.length < 5) throw new ModbusException(3, "short request");
        device.write(pdu.readUInt16BE(1), [pdu.readUInt16BE(3)]);
        return Buffer.from(pdu.subarray(0, 5));
      }
      case 16: {
        if (pdu.length < 6) throw new ModbusException(3, "short request");
        const start = pdu.readUInt16BE(1);
        const count = pdu.readUInt16BE(3);
        const bytes = pdu[5]!;
        if (count < 1 || count > 123 || bytes !== count * 2 || pdu.length < 6 + bytes) throw new ModbusException(3, "bad register count or byte count");
        const words = Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + i * 2));
        device.write(start, words);
        return Buffer.from(pdu.subarray(0, 5));
      }
      default:
        return exceptionPdu(fc, 1);
    }
  } catch (e) {
    if (e instanceof ModbusException) return exceptionPdu(fc, e.code);
    // A value the codec cannot represent, or a behaviour bug: the device reports a failure, it never crashes.
    return exceptionPdu(fc, 4);
  }
}

/** Length of a complete RTU request frame starting with `buf`, or null while too few bytes have arrived. */
export function rtuRequestLength(buf: Buffer): number | null {
  if (buf.length < 2) return null;
  const fc = buf[1]!;
  if (fc === 16 || fc === 15) return buf.length < 7 ? null : 9 + buf[6]!;
  return 8;
}
