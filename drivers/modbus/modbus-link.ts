// One device on one wire: serialises requests (RTU allows one at a time), retries, reconnects, and keeps the
// device's health. After a failed request (all retries spent) the device is offline and further requests fail
// fast until a backoff delay on the hub's Clock has passed, so a dead meter never stalls the hub's poll loop.
import { DeviceError } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { RegisterTable } from "../devices/types.ts";
import type { DeviceHealth } from "./device-health.ts";
import { classifyError, type ClassifiedError } from "./error-classify.ts";
import { busClient, joinBus, leaveBus, onBus, resetBus } from "./serial-bus.ts";
import { describeTransport, openModbusClient, type ModbusClient, type ModbusTransportConfig } from "./transport.ts";

export interface LinkOptions {
  /** Extra attempts after a failed request before the device is declared offline. Default 2. */
  retries?: number;
  /** First backoff after going offline; doubles per failed attempt up to backoffMaxMs. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface LinkDeps { clock: Clock; log?: (line: string) => void }

export class ModbusLink implements DeviceHealth {
  private client: ModbusClient | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private retryAtMs = 0;
  private closed = false;
  private healthCallbacks: ((online: boolean, reason: string) => void)[] = [];
  online = false;
  lastError?: string;
  lastOkAt?: UtcSeconds;

  constructor(readonly name: string, readonly transport: ModbusTransportConfig, private readonly deps: LinkDeps, private readonly opts: LinkOptions = {}) {
    if (transport.kind === "rtu") joinBus(transport);
  }

  onHealthChange(cb: (online: boolean, reason: string) => void): void { this.healthCallbacks.push(cb); }

  readRegisters(table: RegisterTable, start: number, count: number): Promise<number[]> {
    return this.exec(async (c) => {
      const r = table === "input" ? await c.readInputRegisters(start, count) : await c.readHoldingRegisters(start, count);
      if (r.data.length !== count) throw new DeviceError(this.name, "malformed", `asked for ${count} registers at ${start}, got ${r.data.length}`);
      return r.data;
    });
  }

  /** Writes holding registers: FC06 for one register, FC16 for more (what every map here accepts). */
  writeRegisters(start: number, words: number[]): Promise<void> {
    return this.exec(async (c) => {
      if (words.length === 1) await c.writeRegister(start, words[0]!);
      else await c.writeRegisters(start, words);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    if (this.transport.kind === "rtu") leaveBus(this.transport.path);
    else this.dropClient();
  }

  private exec<T>(op: (c: ModbusClient) => Promise<T>): Promise<T> {
    const p = this.queue.then(() => this.attempt(op));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async attempt<T>(op: (c: ModbusClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new DeviceError(this.name, "disconnected", "driver closed");
    const now = this.deps.clock.monotonicMs();
    if (this.failures > 0 && now < this.retryAtMs) {
      throw new DeviceError(this.name, "disconnected", `offline (${this.lastError ?? "unknown"}); next attempt in ${Math.ceil((this.retryAtMs - now) / 1000)} s`);
    }
    // While offline, one probe per backoff period: no retries, so a dead bus costs one timeout per period.
    const attempts = this.failures > 0 ? 1 : 1 + (this.opts.retries ?? 2);
    let last: ClassifiedError | undefined;
    for (let i = 0; i < attempts; i++) {
      try {
        const t = this.transport;
        const result = t.kind === "rtu"
          ? await onBus(t.path, async () => { const c = await busClient(t); return this.guard(c, op(c)); })
          : await this.connect().then((c) => this.guard(c, op(c)));
        this.markOk();
        return result;
      } catch (e) {
        last = classifyError(this.name, e);
        if (last.reconnect) this.dropClient();
        if (!last.retry) break;
      }
    }
    const err = last!.error;
    if (err.kind === "exception") {
      // The device answered: it is there, the request was wrong or refused. Not an outage.
      this.lastError = err.message;
      this.markOk(false);
      throw err;
    }
    this.markFailed(err);
    throw err;
  }

  private async connect(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.dropClient();
    const c = await openModbusClient(this.transport);
    // A socket or tty error must not become an unhandled 'error' event that kills the hub.
    c.on("error", (e: unknown) => this.deps.log?.(`modbus ${this.name}: port error: ${e instanceof Error ? e.message : String(e)}`));
    this.client = c;
    return c;
  }

  /** Rejects the in-flight request as soon as the connection closes, instead of waiting for its timeout. */
  private guard<T>(client: ModbusClient, p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClose = () => reject(new DeviceError(this.name, "disconnected", "connection closed by the device"));
      client.once("close", onClose);
      p.then(resolve, reject).finally(() => client.removeListener("close", onClose));
    });
  }

  private dropClient(): void {
    if (this.transport.kind === "rtu") { resetBus(this.transport.path); return; }
    const c = this.client;
    this.client = null;
    if (!c) return;
    try { c.close(() => undefined); } catch { /* already closed */ }
  }

  private markOk(clearError = true): void {
    this.failures = 0;
    this.retryAtMs = 0;
    this.lastOkAt = this.deps.clock.now();
    if (clearError) this.lastError = undefined;
    if (!this.online) this.transition(true, `online (${describeTransport(this.transport)})`);
  }

  private markFailed(err: DeviceError): void {
    this.failures++;
    this.lastError = err.message;
    const base = this.opts.backoffBaseMs ?? 1000;
    const delay = Math.min(base * 2 ** (this.failures - 1), this.opts.backoffMaxMs ?? 60_000);
    this.retryAtMs = this.deps.clock.monotonicMs() + delay;
    if (this.online || this.failures === 1) this.transition(false, `offline: ${err.kind}: ${err.message.replace(`${this.name}: `, "")}; retrying in ${Math.round(delay / 1000)} s`);
  }

  private transition(online: boolean, reason: string): void {
    const changed = this.online !== online || !online;
    this.online = online;
    if (!changed) return;
    this.deps.log?.(`modbus ${this.name}: ${reason}`);
    for (const cb of this.healthCallbacks) {
      try { cb(online, reason); } catch (e) { this.deps.log?.(`modbus ${this.name}: health callback threw: ${(e as Error).message}`); }
    }
  }
}
