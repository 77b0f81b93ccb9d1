// Modbus TCP on loopback (MBAP framing), answering each unit id from its SimDevice, with injected faults.
import { createServer, type Server, type Socket } from "node:net";
import { poisonReadPdu } from "./faults.ts";
import { exceptionPdu, handlePdu } from "./pdu.ts";
import type { SimDevice } from "./sim-device.ts";

export interface ModbusTcpServer { readonly port: number; close(): Promise<void> }

export async function startModbusTcpServer(host: string, port: number, devices: SimDevice[], onReset: (d: SimDevice) => void): Promise<ModbusTcpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 7) {
        const len = buf.readUInt16BE(4);
        if (len < 2 || len > 254) { socket.destroy(); return; }
        if (buf.length < 6 + len) return;
        const tid = buf.readUInt16BE(0);
        const unit = buf[6]!;
        const pdu = Buffer.from(buf.subarray(7, 6 + len));
        buf = buf.subarray(6 + len);
        const device = devices.find((d) => d.unitId === unit);
        if (!device) { socket.write(frame(tid, unit, exceptionPdu(pdu[0] ?? 0, 0x0b))); continue; }
        const fault = device.fault.take();
        if (fault?.kind === "reset-register") onReset(device);
        if (fault?.kind === "timeout") continue;
        if (fault?.kind === "drop") { socket.destroy(); return; }
        if (fault?.kind === "exception") { socket.write(frame(tid, unit, exceptionPdu(pdu[0] ?? 0, fault.exceptionCode ?? 4))); continue; }
        const resp = handlePdu(device, pdu, fault?.kind === "energy-x10" ? 10 : 1);
        // A lying device: the answer comes from another unit id, or carries another transaction's id, with data no
        // real reading has. The client must drop it; the real answer never comes (the request times out).
        if (fault?.kind === "wrong-unit") { socket.write(frame(tid, (unit % 247) + 1, poisonReadPdu(resp))); continue; }
        if (fault?.kind === "wrong-transaction") { socket.write(frame((tid + 0x8000) & 0xffff, unit, poisonReadPdu(resp))); continue; }
        if (fault?.kind === "corrupt" && resp.length > 2 && (resp[0]! & 0x80) === 0) {
          // A byte count that disagrees with the data: what a garbled gateway or a firmware bug sends.
          const bad = Buffer.from(resp);
          bad[1] = (bad[1]! + 2) & 0xff;
          socket.write(frame(tid, unit, bad));
          continue;
        }
        socket.write(frame(tid, unit, resp));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return {
    port: actual,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function frame(tid: number, unit: number, pdu: Buffer): Buffer {
  const out = Buffer.alloc(7 + pdu.length);
  out.writeUInt16BE(tid, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out[6] = unit;
  pdu.copy(out, 7);
  return out;
}
