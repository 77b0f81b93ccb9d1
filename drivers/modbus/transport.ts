// Opens a modbus-serial client over one of the three wires a home installation has: Modbus TCP, RTU on a
// serial line (through our Bun serial port), and RTU framed over TCP (RS485-to-Ethernet gateways).
import type ModbusRTU from "modbus-serial";
import "./without-serialport.ts";
import { BunSerialPort } from "../serial/bun-serial-port.ts";
import { RtuFramePort } from "./rtu-frame-port.ts";

export type ModbusTransportConfig =
  | { kind: "tcp"; host: string; port: number; unitId: number; timeoutMs?: number }
  | { kind: "rtu"; path: string; baudRate: number; parity: "none" | "even" | "odd"; stopBits: 1 | 2; dataBits?: 8; unitId: number; timeoutMs?: number }
  | { kind: "rtu-over-tcp"; host: string; port: number; unitId: number; timeoutMs?: number };

export const DEFAULT_TIMEOUT_MS = 1000;

const modbusSerial = () => import("modbus-serial");

/** ModbusRTU is an EventEmitter at run time; its typings declare only on(). */
export type ModbusClient = ModbusRTU & {
  once(event: "close", listener: () => void): unknown;
  removeListener(event: "close", listener: () => void): unknown;
};

export class TransportConfigError extends Error {
  constructor(detail: string) {
    super(`invalid Modbus transport: ${detail}`);
    this.name = "TransportConfigError";
  }
}

export function validateTransport(cfg: ModbusTransportConfig): void {
  if (!Number.isInteger(cfg.unitId) || cfg.unitId < 0 || cfg.unitId > 255) throw new TransportConfigError(`unitId ${cfg.unitId} must be 0-255 (1-247 on a serial bus)`);
  if (cfg.timeoutMs !== undefined && !(cfg.timeoutMs > 0)) throw new TransportConfigError(`timeoutMs ${cfg.timeoutMs} must be positive`);
  if (cfg.kind === "tcp" || cfg.kind === "rtu-over-tcp") {
    if (!cfg.host) throw new TransportConfigError("host is empty");
    if (!Number.isInteger(cfg.port) || cfg.port < 1 || cfg.port > 65535) throw new TransportConfigError(`port ${cfg.port} must be 1-65535`);
  } else if (cfg.kind === "rtu") {
    if (!cfg.path) throw new TransportConfigError("serial path is empty");
  } else {
    throw new TransportConfigError(`unknown kind ${JSON.stringify((cfg as { kind: unknown }).kind)}`);
  }
}

export function describeTransport(cfg: ModbusTransportConfig): string {
  switch (cfg.kind) {
    case "tcp": return `tcp://${cfg.host}:${cfg.port} unit ${cfg.unitId}`;
    case "rtu-over-tcp": return `rtu-over-tcp://${cfg.host}:${cfg.port} unit ${cfg.unitId}`;
    case "rtu": return `${cfg.path} ${cfg.baudRate} ${cfg.dataBits ?? 8}${cfg.parity[0]!.toUpperCase()}${cfg.stopBits} unit ${cfg.unitId}`;
  }
}

/** Connects and returns a ready client; rejects with the transport's own error (the link classifies it). */
export async function openModbusClient(cfg: ModbusTransportConfig): Promise<ModbusClient> {
  validateTransport(cfg);
  // Loaded here, not at the top: Bun evaluates a CommonJS import while linking, before the stub above is in place.
  const { default: ModbusClientClass } = await modbusSerial();
  let client: ModbusRTU;
  switch (cfg.kind) {
    case "tcp":
      client = new ModbusClientClass();
      await connectWithin(client, client.connectTCP(cfg.host, { port: cfg.port }), cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      break;
    case "rtu-over-tcp":
      client = new ModbusClientClass();
      await connectWithin(client, client.connectTcpRTUBuffered(cfg.host, { port: cfg.port }), cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      break;
    case "rtu": {
      const serial = new BunSerialPort(cfg.path, { baudRate: cfg.baudRate, parity: cfg.parity, stopBits: cfg.stopBits, dataBits: cfg.dataBits ?? 8 });
      // modbus-serial takes any object with open/close/write/isOpen and data events as its port.
      client = new ModbusClientClass(new RtuFramePort(serial));
      await new Promise<void>((resolve, reject) => client.open((err: Error | null) => (err ? reject(err) : resolve())));
      break;
    }
  }
  client.setID(cfg.unitId);
  client.setTimeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return client as ModbusClient;
}

/** A gateway that is down can leave a TCP connect pending for minutes; give up after the request timeout. */
async function connectWithin(client: ModbusRTU, p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`connect timed out after ${ms} ms`)), ms); })]);
  } catch (e) {
    try { client.close(() => undefined); } catch { /* never opened */ }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
