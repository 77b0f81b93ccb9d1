// A loopback serial-to-TCP bridge for USB coordinator sticks: the native serialport binding crashes under Bun
// (uv_poll_init), and herdsman accepts tcp:// paths, so the hub opens the tty itself with node:fs after setting the
// line raw with stty, and serves it to herdsman on 127.0.0.1. One client at a time, like the stick itself.
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, type ReadStream, type WriteStream } from "node:fs";
import { createServer, type Socket } from "node:net";
import { DeviceError } from "../../core/ports/index.ts";

export interface SerialBridgeOptions {
  /** e.g. /dev/ttyUSB0 or /dev/serial/by-id/usb-… */
  ttyPath: string;
  baudRate: number;
  /** 0 = ephemeral. Always bound to 127.0.0.1. */
  port: number;
  /** Skip stty (for ptys that are already raw, e.g. socat's). */
  skipStty?: boolean;
}

export interface SerialBridge {
  /** What to give herdsman as the serial path. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const BAUD_RATES = new Set([9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]);

export async function startSerialBridge(opts: SerialBridgeOptions): Promise<SerialBridge> {
  if (!existsSync(opts.ttyPath)) throw new DeviceError(`serial ${opts.ttyPath}`, "config", "no such device (is the stick plugged in?)");
  if (!BAUD_RATES.has(opts.baudRate)) throw new DeviceError(`serial ${opts.ttyPath}`, "config", `baud rate ${opts.baudRate} is not one of ${[...BAUD_RATES].join(", ")}`);
  if (!opts.skipStty) {
    const r = spawnSync("stty", ["-F", opts.ttyPath, "raw", "-echo", "-hupcl", String(opts.baudRate)], { encoding: "utf8" });
    if (r.status !== 0) throw new DeviceError(`serial ${opts.ttyPath}`, "config", `stty failed: ${(r.stderr || r.error?.message || "").trim()}`);
  }
  let tty: { rd: ReadStream; wr: WriteStream } | undefined;
  let client: Socket | undefined;
  const openTty = () => {
    const rd = createReadStream(opts.ttyPath, { highWaterMark: 256 });
    const wr = createWriteStream(opts.ttyPath, { flags: "r+" });
    rd.on("data", (b) => client?.write(b));
    const fail = (e: Error) => {
      client?.destroy(new Error(`tty ${opts.ttyPath}: ${e.message}`));
      tty = undefined;
    };
    rd.on("error", fail);
    wr.on("error", fail);
    return { rd, wr };
  };
  const server = createServer((sock) => {
    if (client) {
      sock.destroy(); // the stick has one host
      return;
    }
    client = sock;
    tty ??= openTty();
    sock.setNoDelay(true);
    sock.on("data", (b) => tty?.wr.write(b));
    sock.on("close", () => {
      if (client === sock) client = undefined;
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        client?.destroy();
        tty?.rd.destroy();
        tty?.wr.destroy();
        server.close(() => resolve());
      }),
  };
}
