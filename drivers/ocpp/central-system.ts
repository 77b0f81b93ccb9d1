// The hub as a local OCPP 1.6J central system: chargers connect to ws(s)://<hub>:<port>/ocpp/<chargePointId> with the
// `ocpp1.6` subprotocol, on Bun.serve's own WebSocket server (ocpp-rpc's server costs 86 MB RSS; this costs a few).
// Who may connect is decided before the WebSocket upgrade: security profile 1 (HTTP Basic, per-charger password),
// 2 (the same over TLS with the hub's own certificate), 0 (no password) only when the owner turned it on for that
// charger. An unknown charge point ID may connect and boot, is answered Pending (or Rejected) and listed for the owner.
import type { Server, ServerWebSocket } from "bun";
import type { Clock } from "../../core/time/index.ts";
import { parseBasicAuth, passwordMatches, type SecurityProfile } from "./auth.ts";
import { CENTRAL_SYSTEM_ANSWERS, ChargePointSession, type FailSafeSettings } from "./charge-point-session.ts";
import type { QuirkProfile } from "./quirks.ts";
import { OcppRpc } from "./rpc.ts";

export const OCPP16_SUBPROTOCOL = "ocpp1.6";

export interface KnownChargePoint {
  id: string;
  securityProfile: SecurityProfile;
  /** Required for profiles 1 and 2 (16-40 characters); ignored for 0. */
  password?: string;
}

/** An unknown charge point that asked to join; the owner accepts it (with the password it offered) or not. */
export interface PendingChargePoint { id: string; firstSeenAt: number; lastSeenAt: number; remote: string; offeredPassword: boolean; vendor?: string; model?: string }

export interface CentralSystemOptions {
  clock: Clock;
  log: (line: string) => void;
  hostname?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Default "/ocpp/". */
  pathPrefix?: string;
  /** Present: wss:// (security profile 2). */
  tls?: { certPem: string; keyPem: string };
  chargePoints: KnownChargePoint[];
  /** What an unknown charge point's BootNotification is answered. Default "Pending". */
  unknown?: "Pending" | "Rejected";
  failSafe: FailSafeSettings;
  extraQuirks?: readonly QuirkProfile[];
  /** Largest accepted frame; a bigger one closes that connection (1009). Default 64 KiB. */
  maxFrameBytes?: number;
  callTimeoutMs?: number;
}

interface SocketData { id: string; rpc?: OcppRpc }

const MAX_PENDING = 32;
const CHARGE_POINT_ID = /^[\x21-\x7e]{1,48}$/; // OCPP 1.6 Security Whitepaper: printable ASCII, ≤ 48 (the ID is the Basic user name)

export class OcppConfigError extends Error {}

export class CentralSystem {
  private server: Server<SocketData> | null = null;
  private readonly known = new Map<string, KnownChargePoint>();
  readonly sessions = new Map<string, ChargePointSession>();
  readonly pending = new Map<string, PendingChargePoint & { password?: string }>();
  private readonly pathPrefix: string;
  private txSeq: number;
  private readonly sessionListeners = new Set<(s: ChargePointSession) => void>();
  private readonly sockets = new Map<string, ServerWebSocket<SocketData>>();

  constructor(private readonly o: CentralSystemOptions) {
    this.pathPrefix = o.pathPrefix ?? "/ocpp/";
    if (!this.pathPrefix.startsWith("/") || !this.pathPrefix.endsWith("/")) throw new OcppConfigError(`OCPP path prefix ${JSON.stringify(this.pathPrefix)} must start and end with "/"`);
    for (const cp of o.chargePoints) this.addKnown(cp);
    // Transaction ids from the hub's clock: a restarted hub does not hand out an id the charger still holds open.
    this.txSeq = Math.floor(o.clock.now() / 10) % 1_000_000_000;
  }

  private addKnown(cp: KnownChargePoint): void {
    if (!CHARGE_POINT_ID.test(cp.id)) throw new OcppConfigError(`charge point id ${JSON.stringify(cp.id)}: 1-48 printable ASCII characters, no spaces`);
    if (cp.securityProfile !== 0) {
      if (!cp.password || cp.password.length < 16 || cp.password.length > 40) throw new OcppConfigError(`charge point ${cp.id}: security profile ${cp.securityProfile} needs a password of 16-40 characters`);
    }
    if (cp.securityProfile === 2 && !this.o.tls) throw new OcppConfigError(`charge point ${cp.id}: security profile 2 needs TLS, but the central system has no certificate`);
    this.known.set(cp.id, cp);
    this.session(cp.id).registration = "Accepted";
  }

  /** The session of a charge point, created on first use (known or not). */
  session(id: string): ChargePointSession {
    let s = this.sessions.get(id);
    if (!s) {
      s = new ChargePointSession(id, this.known.has(id) ? "Accepted" : (this.o.unknown ?? "Pending"), {
        clock: this.o.clock, failSafe: this.o.failSafe, extraQuirks: this.o.extraQuirks ?? [], log: this.o.log,
        nextTransactionId: () => ++this.txSeq,
      });
      this.sessions.set(id, s);
      for (const l of this.sessionListeners) l(s);
    }
    return s;
  }

  onSession(cb: (s: ChargePointSession) => void): void { this.sessionListeners.add(cb); }

  /** The owner accepts a pending charge point: it becomes known with the password it offered (or profile 0 if allowed). */
  accept(id: string, opts: { allowNoPassword?: boolean } = {}): KnownChargePoint {
    const p = this.pending.get(id);
    if (!p) throw new OcppConfigError(`no pending charge point ${JSON.stringify(id)}`);
    if (!p.password && !opts.allowNoPassword) throw new OcppConfigError(`charge point ${id} offered no password; accept it with security profile 0 only if you mean to`);
    const cp: KnownChargePoint = p.password ? { id, securityProfile: this.o.tls ? 2 : 1, password: p.password } : { id, securityProfile: 0 };
    this.pending.delete(id);
    this.addKnown(cp);
    const s = this.session(id);
    // Ask it to boot again now rather than at its retry interval (OCPP 1.6 allows TriggerMessage while Pending).
    if (s.connected) void s.call("TriggerMessage", { requestedMessage: "BootNotification" }).catch((e: Error) => s.record(`TriggerMessage BootNotification failed: ${e.message}`));
    return cp;
  }

  listPending(): PendingChargePoint[] {
    return [...this.pending.values()].map(({ password: _p, ...rest }) => rest);
  }

  get url(): string {
    if (!this.server) throw new Error("central system not started");
    return `${this.o.tls ? "wss" : "ws"}://${this.server.hostname}:${this.server.port}${this.pathPrefix}`;
  }

  /** Totals over all connections, for the benchmark. */
  messageCounts(): { in: number; out: number } {
    let i = 0, out = 0;
    for (const s of this.sessions.values()) if (s.rpc) { i += s.rpc.counts.in; out += s.rpc.counts.out; }
    return { in: i, out };
  }

  start(): void {
    const self = this;
    this.server = Bun.serve<SocketData>({
      hostname: this.o.hostname ?? "127.0.0.1",
      port: this.o.port,
      ...(this.o.tls ? { tls: { cert: this.o.tls.certPem, key: this.o.tls.keyPem } } : {}),
      fetch(req, server) {
        return self.upgrade(req, server);
      },
      websocket: {
        maxPayloadLength: this.o.maxFrameBytes ?? 64 * 1024,
        idleTimeout: 0,
        sendPings: true,
        open(ws) { self.opened(ws); },
        message(ws, msg) {
          if (typeof msg !== "string") {
            // OCPP-J is text only (OCPP-J 1.6 §3.3): a binary frame is a formation error, answered and survived.
            ws.data.rpc?.receive("\u0000binary");
            return;
          }
          ws.data.rpc?.receive(msg);
        },
        close(ws, code, reason) {
          const s = self.sessions.get(ws.data.id);
          if (self.sockets.get(ws.data.id) === ws) self.sockets.delete(ws.data.id);
          if (s && ws.data.rpc) s.detach(ws.data.rpc, `closed ${code}${reason ? ` ${reason}` : ""}`);
        },
      },
    });
    this.o.log(`ocpp: central system listening on ${this.url}<chargePointId>`);
  }

  private refuse(status: number, why: string, id: string, remote: string): Response {
    this.o.log(`ocpp: refused ${JSON.stringify(id)} from ${remote}: ${why}`);
    const headers: Record<string, string> = status === 401 ? { "WWW-Authenticate": 'Basic realm="OCPP"' } : {};
    return new Response(`${why}\n`, { status, headers });
  }

  private upgrade(req: Request, server: Server<SocketData>): Response | undefined {
    const url = new URL(req.url);
    const remote = server.requestIP(req)?.address ?? "?";
    if (!url.pathname.startsWith(this.pathPrefix)) return new Response("not found\n", { status: 404 });
    let id: string;
    try {
      id = decodeURIComponent(url.pathname.slice(this.pathPrefix.length));
    } catch {
      return this.refuse(400, "charge point id is not valid percent-encoding", url.pathname, remote);
    }
    if (!CHARGE_POINT_ID.test(id)) return this.refuse(400, "charge point id must be 1-48 printable ASCII characters", id.slice(0, 48), remote);
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return this.refuse(426, "OCPP-J needs a WebSocket upgrade", id, remote);
    const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((s) => s.trim());
    if (!offered.includes(OCPP16_SUBPROTOCOL)) return this.refuse(400, `the ${OCPP16_SUBPROTOCOL} subprotocol was not offered`, id, remote);

    const creds = parseBasicAuth(req.headers.get("authorization"));
    const cp = this.known.get(id);
    if (cp) {
      if (cp.securityProfile === 2 && !this.o.tls) return this.refuse(403, "security profile 2 needs TLS", id, remote);
      if (cp.securityProfile !== 0) {
        // Compare even when the user name is wrong, so timing does not tell which part failed.
        const ok = passwordMatches(creds?.password ?? "", cp.password!) && creds?.user === id;
        if (!ok) return this.refuse(401, creds ? "wrong charge point id or password" : "HTTP Basic authentication required", id, remote);
      }
    } else {
      const now = this.o.clock.now();
      const p = this.pending.get(id);
      if (!p && this.pending.size >= MAX_PENDING) return this.refuse(429, "too many unknown charge points waiting for the owner", id, remote);
      const password = creds && creds.user === id && creds.password.length >= 16 && creds.password.length <= 40 ? creds.password : undefined;
      this.pending.set(id, { id, firstSeenAt: p?.firstSeenAt ?? now, lastSeenAt: now, remote, offeredPassword: !!password, ...(password ? { password } : {}) });
    }
    const ok = server.upgrade(req, { data: { id }, headers: { "Sec-WebSocket-Protocol": OCPP16_SUBPROTOCOL } });
    return ok ? undefined : this.refuse(400, "WebSocket upgrade failed", id, remote);
  }

  private opened(ws: ServerWebSocket<SocketData>): void {
    const s = this.session(ws.data.id);
    const rpc = new OcppRpc({
      label: ws.data.id,
      clock: this.o.clock,
      send: (t) => { ws.send(t); },
      answers: CENTRAL_SYSTEM_ANSWERS,
      callTimeoutMs: this.o.callTimeoutMs ?? 30_000,
      log: this.o.log,
      handle: (action, payload) => {
        const out = s.handle(action, payload);
        if (action === "BootNotification") {
          const p = this.pending.get(s.id);
          if (p) Object.assign(p, { vendor: s.vendor, model: s.model });
        }
        return out;
      },
    });
    ws.data.rpc = rpc;
    // A second connection under the same ID replaces the first (a charger that rebooted before its old socket died).
    const old = this.sockets.get(s.id);
    this.sockets.set(s.id, ws);
    s.attach(rpc);
    if (old) {
      this.o.log(`ocpp ${s.id}: new connection replaces the previous one`);
      old.close(1000, "replaced by a new connection");
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sessions.values()) if (s.rpc) s.detach(s.rpc, "central system stopping");
    await this.server?.stop(true);
    this.server = null;
  }
}
