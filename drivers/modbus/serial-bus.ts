// Several devices on one RS485 bus share one serial port: one open client per tty path, and one request on the
// wire at a time across all of them (RTU is half-duplex master/slave). Unit ids are set per request.
import { openModbusClient, type ModbusClient, type ModbusTransportConfig } from "./transport.ts";

type RtuConfig = Extract<ModbusTransportConfig, { kind: "rtu" }>;
interface Bus { client: ModbusClient | null; opening: Promise<ModbusClient> | null; queue: Promise<unknown>; users: number; settings: string }

const buses = new Map<string, Bus>();

const settingsOf = (c: RtuConfig) => `${c.baudRate} ${c.dataBits ?? 8}${c.parity}${c.stopBits}`;

export function joinBus(cfg: RtuConfig): void {
  const bus = buses.get(cfg.path);
  if (bus && bus.settings !== settingsOf(cfg)) {
    throw new Error(`serial port ${cfg.path} is already in use at ${bus.settings}; every device on one bus must use the same line settings (asked for ${settingsOf(cfg)})`);
  }
  if (bus) bus.users++;
  else buses.set(cfg.path, { client: null, opening: null, queue: Promise.resolve(), users: 1, settings: settingsOf(cfg) });
}

export function leaveBus(path: string): void {
  const bus = buses.get(path);
  if (!bus) return;
  if (--bus.users > 0) return;
  buses.delete(path);
  void bus.queue.finally(() => closeClient(bus));
}

/** Runs fn alone on the bus. */
export function onBus<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const bus = buses.get(path);
  if (!bus) return Promise.reject(new Error(`serial port ${path}: not joined (driver closed)`));
  const p = bus.queue.then(fn);
  bus.queue = p.catch(() => undefined);
  return p;
}

export async function busClient(cfg: RtuConfig): Promise<ModbusClient> {
  const bus = buses.get(cfg.path);
  if (!bus) throw new Error(`serial port ${cfg.path}: not joined (driver closed)`);
  if (bus.client?.isOpen) { bus.client.setID(cfg.unitId); bus.client.setTimeout(cfg.timeoutMs ?? 1000); return bus.client; }
  bus.opening ??= openModbusClient(cfg).finally(() => { bus.opening = null; });
  bus.client = await bus.opening;
  bus.client.setID(cfg.unitId);
  bus.client.setTimeout(cfg.timeoutMs ?? 1000);
  return bus.client;
}

/** Closes the port after a line-level failure so the next request reopens it. */
export function resetBus(path: string): void {
  const bus = buses.get(path);
  if (bus) closeClient(bus);
}

function closeClient(bus: Bus): void {
  const c = bus.client;
  bus.client = null;
  if (c) { try { c.close(() => undefined); } catch { /* already closed */ } }
}
