// Serial line settings and the stty arguments that put a tty into raw mode with them.
// Raw mode matters as much as the baud rate: a cooked tty would translate 0x0D/0x0A bytes and eat 0x03 (^C).

export type Parity = "none" | "even" | "odd";
export interface LineSettings { baudRate: number; parity: Parity; stopBits: 1 | 2; dataBits?: 7 | 8 }

/** The baud rates Linux termios can set through stty. */
export const STANDARD_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;

export class SerialConfigError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`serial port ${path}: ${detail}`);
    this.name = "SerialConfigError";
  }
}

export function validateLineSettings(path: string, s: LineSettings): void {
  if (!(STANDARD_BAUD_RATES as readonly number[]).includes(s.baudRate)) {
    throw new SerialConfigError(path, `baud rate ${s.baudRate} is not one of ${STANDARD_BAUD_RATES.join(", ")}`);
  }
  if (!["none", "even", "odd"].includes(s.parity)) throw new SerialConfigError(path, `parity ${String(s.parity)} must be none, even or odd`);
  if (s.stopBits !== 1 && s.stopBits !== 2) throw new SerialConfigError(path, `stop bits ${String(s.stopBits)} must be 1 or 2`);
  if (s.dataBits !== undefined && s.dataBits !== 7 && s.dataBits !== 8) throw new SerialConfigError(path, `data bits ${String(s.dataBits)} must be 7 or 8`);
}

export function sttyArgs(path: string, s: LineSettings): string[] {
  return [
    "-F", path, "raw", String(s.baudRate),
    s.dataBits === 7 ? "cs7" : "cs8",
    s.stopBits === 2 ? "cstopb" : "-cstopb",
    s.parity === "none" ? "-parenb" : "parenb",
    ...(s.parity === "odd" ? ["parodd"] : s.parity === "even" ? ["-parodd"] : []),
    // No echo, no flow control, ignore modem lines (RS485 adapters have none), reads return what is there.
    "-echo", "-ixon", "-ixoff", "-crtscts", "clocal", "min", "1", "time", "0",
  ];
}

/** Time one character occupies on the line: start bit + data + parity + stop bits. */
export function charTimeMs(s: LineSettings): number {
  const bits = 1 + (s.dataBits ?? 8) + (s.parity === "none" ? 0 : 1) + s.stopBits;
  return (bits * 1000) / s.baudRate;
}
