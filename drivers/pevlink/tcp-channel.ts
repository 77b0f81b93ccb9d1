// A node:net socket (works under Bun) as a ByteChannel; node:net buffers writes for us under backpressure.
import { connect, type Socket } from "node:net";
import type { ByteChannel } from "./byte-channel.ts";
import { PevLinkError } from "./errors.ts";

export function tcpByteChannel(socket: Socket): ByteChannel {
  const label = `tcp ${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
  let closeReason: Error | undefined;
  socket.setNoDelay(true);
  socket.on("error", (e) => {
    closeReason = e; // 'close' follows
  });
  return {
    label,
    write(bytes) {
      if (!socket.destroyed) socket.write(bytes);
    },
    onData(cb) {
      socket.on("data", (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    },
    onClose(cb) {
      socket.once("close", () => cb(closeReason));
    },
    close() {
      socket.end();
      socket.destroySoon();
    },
  };
}

export function connectTcpByteChannel(host: string, port: number, timeoutMs = 5000): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new PevLinkError("timeout", `could not connect to the hub's PEV link at ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(tcpByteChannel(socket));
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(new PevLinkError("closed", `cannot reach the hub's PEV link at ${host}:${port}: ${e.message}`));
    });
  });
}
