// A serial port that works under Bun: the native `serialport` binding crashes there (uv_poll_init), so the
// line is set raw with stty and the tty is opened non-blocking. Reads go through Bun's own fd stream, which
// polls on the event loop; node:fs ReadStreams were tried and rejected: each pending read blocks a thread-pool
// thread, and two ports in one process (hub + simulator) starved the pool until writes stopped.
import { EventEmitter } from "node:events";
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { SerialConfigError, sttyArgs, validateLineSettings, type LineSettings } from "./line-settings.ts";

export interface SerialPortEvents { data: [Buffer]; error: [Error]; close: [] }

export class BunSerialPort extends EventEmitter<SerialPortEvents> {
  private fd: number | null = null;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private pendingWrite: Buffer[] = [];
  /** A line setting the device did not accept (set by openSync), for the caller to log. */
  warning?: string;

  constructor(readonly path: string, readonly settings: LineSettings) {
    super();
    validateLineSettings(path, settings);
  }

  get isOpen(): boolean { return this.fd !== null; }

  /** Configures the line and opens it. Throws SerialConfigError naming the port and what failed. */
  openSync(): void {
    if (this.fd !== null) return;
    const stty = spawnSync("stty", sttyArgs(this.path, this.settings), { encoding: "utf8" });
    if (stty.error) throw new SerialConfigError(this.path, `cannot run stty (${stty.error.message}); install coreutils`);
    if (stty.status !== 0) {
      // A pseudo-terminal (socat, tests) takes raw mode and speed but not parity or stop bits: stty then fails
      // with "unable to perform all requested operations" or EINVAL. Retry without them; if that works, the
      // line is usable and the caller logs the warning. Real adapters take every setting.
      const basic = spawnSync("stty", sttyArgs(this.path, { baudRate: this.settings.baudRate, parity: "none", stopBits: 1 }), { encoding: "utf8" });
      if (basic.status !== 0) throw new SerialConfigError(this.path, `stty failed: ${stty.stderr.trim() || `exit ${stty.status}`}`);
      this.warning = `line accepted raw mode and ${this.settings.baudRate} baud but not parity/stop bits (${stty.stderr.trim()}); normal on a pty`;
    }
    let fd: number;
    try {
      // O_NOCTTY: a serial adapter must never become this process's controlling terminal.
      fd = openSync(this.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (e) {
      throw new SerialConfigError(this.path, `cannot open: ${(e as Error).message}`);
    }
    this.fd = fd;
    const reader = Bun.file(fd).stream().getReader();
    this.reader = reader;
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || this.fd !== fd) break;
          if (value.length) this.emit("data", Buffer.from(value));
        }
      } catch (e) {
        if (this.fd === fd) this.emit("error", e instanceof Error ? e : new Error(String(e)));
      }
    })();
  }

  /** modbus-serial's port contract: open(callback). */
  open(callback?: (err?: Error | null) => void): void {
    try {
      this.openSync();
      callback?.(null);
    } catch (e) {
      callback?.(e as Error);
    }
  }

  write(data: Buffer | Uint8Array): void {
    if (this.fd === null) throw new SerialConfigError(this.path, "write on a closed port");
    this.pendingWrite.push(Buffer.from(data));
    this.flush();
  }

  /** Writes what the tty accepts now; on EAGAIN (output buffer full) tries again on the next tick. */
  private flush(): void {
    while (this.fd !== null && this.pendingWrite.length) {
      const chunk = this.pendingWrite[0]!;
      let n: number;
      try {
        n = writeSync(this.fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") { setTimeout(() => this.flush(), 1); return; }
        this.pendingWrite = [];
        this.emit("error", e as Error);
        return;
      }
      if (n < chunk.length) this.pendingWrite[0] = chunk.subarray(n);
      else this.pendingWrite.shift();
    }
  }

  close(callback?: (err?: Error | null) => void): void {
    const fd = this.fd;
    if (fd === null) { callback?.(null); return; }
    this.fd = null;
    this.reader?.cancel().catch(() => undefined);
    this.reader = null;
    this.pendingWrite = [];
    try { closeSync(fd); } catch { /* already closed by the stream */ }
    this.emit("close");
    callback?.(null);
  }
}
