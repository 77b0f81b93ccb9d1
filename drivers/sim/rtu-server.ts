// A Modbus RTU slave on a serial line (a real adapter, or one end of a socat pty pair in tests and benches):
// real RTU frames with CRC-16, silence for unknown units. With `emulateBaud`, it also keeps the line's timing:
// a pty moves bytes instantly, so the server delays each answer by the time the request and the response
// would occupy a real line at that baud, plus the 3.5-character silences that delimit RTU frames.
import { createRequire } from "node:module";
import { BunSerialPort } from "../serial/bun-serial-port.ts";
import { charTimeMs, type LineSettings } from "../serial/line-settings.ts";
import { poisonReadPdu } from "./faults.ts";
import { handlePdu, rtuRequestLength } from "./pdu.ts";
import type { SimDevice } from "./sim-device.ts";

// modbus-serial's CRC-16/MODBUS (the one its client checks against); it ships no typings for this file.
const crc16 = createRequire(import.meta.url)("modbus-serial/utils/crc16") as (data: Buffer) => number;

export interface RtuServerOptions { path: string; line: LineSettings; emulateBaud?: boolean; onReset?: (d: SimDevice) => void }
export interface RtuServerStats { requests: number; bytesIn: number; bytesOut: number }
export interface ModbusRtuServer { readonly stats: RtuServerStats; close(): Promise<void> }

export function crcFrame(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 2);
  body.copy(out);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

export function startModbusRtuServer(opts: RtuServerOptions, devices: SimDevice[]): ModbusRtuServer {
  const port = new BunSerialPort(opts.path, opts.line);
  port.openSync();
  const stats: RtuServerStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  const charMs = charTimeMs(opts.line);
  let buf: Buffer = Buffer.alloc(0);
  let lineFreeAt = 0;
  let closed = false;
  const pending = new Set<ReturnType<typeof setTimeout>>();

  const send = (resp: Buffer, requestLen: number) => {
    stats.bytesOut += resp.length;
    if (!opts.emulateBaud) { port.write(resp); return; }
    // Request on the line, 3.5-char silence, response on the line; deliver when its last byte would arrive.
    const now = performance.now();
    const start = Math.max(now, lineFreeAt);
    const deliverAt = start + (requestLen + 3.5 + resp.length) * charMs;
    lineFreeAt = deliverAt + 3.5 * charMs;
    const t = setTimeout(() => { pending.delete(t); if (!closed) port.write(resp); }, Math.max(0, deliverAt - now));
    pending.add(t);
  };

  port.on("data", (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const need = rtuRequestLength(buf);
      if (need === null || buf.length < need) return;
      const req = buf.subarray(0, need);
      if (crc16(req.subarray(0, -2)) !== req.readUInt16LE(need - 2)) {
        // Lost sync: drop one byte and look for the next frame start, as a slave does after a line glitch.
        buf = buf.subarray(1);
        continue;
      }
      buf = buf.subarray(need);
      stats.requests++;
      stats.bytesIn += need;
      const unit = req[0]!;
      const device = devices.find((d) => d.unitId === unit);
      if (!device) continue;
      const fault = device.fault.take();
      if (fault?.kind === "reset-register") opts.onReset?.(device);
      if (fault?.kind === "timeout" || fault?.kind === "drop") continue;
      const pdu = fault?.kind === "exception" ? Buffer.from([req[1]! | 0x80, fault.exceptionCode ?? 4]) : handlePdu(device, Buffer.from(req.subarray(1, -2)), fault?.kind === "energy-x10" ? 10 : 1);
      // RTU has no transaction id: "wrong-transaction" answers like "wrong-unit" (a frame, valid CRC, from another unit).
      const lie = fault?.kind === "wrong-unit" || fault?.kind === "wrong-transaction";
      const resp = crcFrame(Buffer.concat([Buffer.from([lie ? (unit % 247) + 1 : unit]), lie ? poisonReadPdu(pdu) : pdu]));
      if (fault?.kind === "corrupt") resp[resp.length - 1] ^= 0xff;
      send(resp, need);
    }
  });

  return {
    stats,
    close: async () => {
      closed = true;
      for (const t of pending) clearTimeout(t);
      port.close();
    },
  };
}
