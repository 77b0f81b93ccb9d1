// Adapts a byte stream (the Bun serial port) to what modbus-serial's ModbusRTU expects of a port: one
// "data" event per complete RTU frame. A tty delivers a response in arbitrary chunks, so the expected length
// is worked out from the request (as modbus-serial's own RTUBufferedPort does for the native serialport).
import { EventEmitter } from "node:events";
import type { BunSerialPort } from "../serial/bun-serial-port.ts";

const EXCEPTION_FRAME_LENGTH = 5;

/** Length of the normal response to an RTU request frame, or null when it cannot be known in advance. */
export function expectedResponseLength(request: Uint8Array): number | null {
  const fc = request[1];
  switch (fc) {
    case 1: case 2: {
      const n = ((request[4] ?? 0) << 8) | (request[5] ?? 0);
      return 3 + Math.ceil(n / 8) + 2;
    }
    case 3: case 4: {
      const n = ((request[4] ?? 0) << 8) | (request[5] ?? 0);
      return 3 + 2 * n + 2;
    }
    case 5: case 6: case 15: case 16: return 8;
    default: return null;
  }
}

export class RtuFramePort extends EventEmitter {
  private buffer: Buffer = Buffer.alloc(0);
  private expectUnit = -1;
  private expectFc = -1;
  private expectLength: number | null = null;
  /** The port's transaction ids: modbus-serial keys its pending request by them; RTU has one at a time. */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  constructor(private readonly serial: BunSerialPort) {
    super();
    serial.on("data", (d) => this.onBytes(d));
    serial.on("error", (e) => this.emit("error", e));
    serial.on("close", () => this.emit("close"));
  }

  get isOpen(): boolean { return this.serial.isOpen; }
  open(callback: (err?: Error | null) => void): void { this.serial.open(callback); }
  close(callback?: (err?: Error | null) => void): void { this.serial.close(callback); }
  destroy(): void { this.serial.close(); }

  write(frame: Buffer): void {
    // A late answer to a timed-out request must not be taken for the answer to this one.
    this.buffer = Buffer.alloc(0);
    this.expectUnit = frame[0] ?? -1;
    this.expectFc = frame[1] ?? -1;
    this.expectLength = expectedResponseLength(frame);
    this.serial.write(frame);
  }

  private onBytes(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    // Skip noise before the frame header (a line glitch or an echo on some RS485 adapters).
    while (this.buffer.length >= 2 && !(this.buffer[0] === this.expectUnit && (this.buffer[1]! & 0x7f) === this.expectFc)) {
      this.buffer = this.buffer.subarray(1);
    }
    if (this.buffer.length < 2) return;
    const isException = (this.buffer[1]! & 0x80) !== 0;
    const need = isException ? EXCEPTION_FRAME_LENGTH : this.expectLength;
    if (need === null) {
      // Unknown length (a function code we do not plan for): emit what we have and let the CRC check decide.
      this.emitFrame(this.buffer.length);
      return;
    }
    if (this.buffer.length >= need) this.emitFrame(need);
  }

  private emitFrame(length: number): void {
    const frame = Buffer.from(this.buffer.subarray(0, length));
    this.buffer = this.buffer.subarray(length);
    this.emit("data", frame);
  }
}
