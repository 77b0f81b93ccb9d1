// The hub's PEV-link listener on loopback TCP: what the simulated PEV (and any IP-connected EVSE bridge) dials.
import { createServer, type Socket } from "node:net";
import type { Clock } from "../../core/time/index.ts";
import type { PevLinkError } from "./errors.ts";
import { acceptPevLinkChannel } from "./hub-session.ts";
import { NonceCache } from "./nonce-cache.ts";
import type { PevLinkSession } from "./session-events.ts";
import { tcpByteChannel } from "./tcp-channel.ts";

export interface PevLinkServer {
  /** Called for every link whose hello was accepted. Sessions that arrive before a listener is set are held for it. */
  onSession(cb: (s: PevLinkSession) => void): void;
  /** Links that failed before hello (malformed first frame, replayed hello, no hello in time). */
  onLinkError(cb: (e: PevLinkError, label: string) => void): void;
  close(): Promise<void>;
  readonly host: string;
  readonly port: number;
}

export interface TcpPevLinkServerOptions {
  /** Default 127.0.0.1: the PEV link is never exposed beyond the host unless asked. */
  host?: string;
  /** 0 = ephemeral. */
  port: number;
  clock: Clock;
  skewS?: number;
  helloTimeoutMs?: number;
  hubName?: string;
}

export async function startTcpPevLinkServer(opts: TcpPevLinkServerOptions): Promise<PevLinkServer> {
  const host = opts.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  const sessionCbs: Array<(s: PevLinkSession) => void> = [];
  const errorCbs: Array<(e: PevLinkError, label: string) => void> = [];
  const held: PevLinkSession[] = [];
  const seenHellos = new NonceCache(Math.max(600, (opts.skewS ?? 120) * 4));

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    acceptPevLinkChannel(
      tcpByteChannel(socket),
      { clock: opts.clock, skewS: opts.skewS, helloTimeoutMs: opts.helloTimeoutMs, seenHellos, hubName: opts.hubName },
      (s) => {
        if (sessionCbs.length === 0) held.push(s);
        for (const cb of sessionCbs) cb(s);
      },
      (e, label) => {
        for (const cb of errorCbs) cb(e, label);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;

  return {
    host,
    port,
    onSession(cb) {
      sessionCbs.push(cb);
      for (const s of held.splice(0)) cb(s);
    },
    onLinkError(cb) {
      errorCbs.push(cb);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
