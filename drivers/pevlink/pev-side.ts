// The PEV's end of the link: used by the vehicle simulator, by tests, and by any bridge that speaks for a
// real vehicle. It runs the same SecureLink and framing as the hub, over any ByteChannel.
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { ByteChannel } from "./byte-channel.ts";
import { PevLinkError } from "./errors.ts";
import { encodeFrame, FrameDecoder } from "./framing.ts";
import type { PevLinkBodies, PevLinkMessage, PevLinkMessageType } from "./messages.ts";
import { computeProof } from "./proof.ts";
import { SecureLink } from "./secure-link.ts";
import { connectTcpByteChannel } from "./tcp-channel.ts";

export interface PevSideOptions {
  vin: string;
  clock: Clock;
  /** The per-PEV secret from an earlier commissioning; absent on the first plug (S1). */
  secretHex?: string;
  /** Answer challenge / confirm / eumd-detect / params-update by itself (default true). */
  autoAck?: boolean;
  /** An EUMD inside the vehicle (BR-8): answers eumd-detect with this ID. */
  eumdId?: string;
  skewS?: number;
  /** Real-time guard for waiting on the hub, ms (default 5000). */
  timeoutMs?: number;
}

type HubMessageType = "accept" | "challenge" | "confirm" | "eumd-detect" | "params-update" | "error";

export interface SimulatedPevLink {
  readonly vin: string;
  /** Known per-PEV secret: given at start, or received in a confirm at commissioning. */
  readonly secretHex: string | undefined;
  /** Latest authentication parameters received (FR-18). */
  readonly params: AuthenticationParameters | undefined;
  /** Every verified message from the hub, in order. */
  readonly received: readonly PevLinkMessage[];
  /** Every message from the hub that failed verification. */
  readonly rejected: readonly PevLinkError[];
  /** Resolves with the next message of `type` from the hub (one already received and not yet taken counts). */
  next<K extends HubMessageType>(type: K, timeoutMs?: number): Promise<PevLinkBodies[K]>;
  sendProof(challengeHex: string, secretHex?: string): void;
  ack(of: "confirm" | "params-update", accepted: boolean, reason?: string): void;
  eumdAck(eumdId: string, accepted: boolean, intervalS: number): void;
  sendError(code: string, message: string): void;
  /** Every frame this PEV sent, length prefix included: tests replay and tamper with them. */
  readonly sentFrames: readonly Uint8Array[];
  sendRawFrame(frame: Uint8Array): void;
  readonly closed: Promise<Error | undefined>;
  close(): Promise<void>;
}

class PevSide implements SimulatedPevLink {
  readonly received: PevLinkMessage[] = [];
  readonly rejected: PevLinkError[] = [];
  readonly sentFrames: Uint8Array[] = [];
  secretHex: string | undefined;
  params: AuthenticationParameters | undefined;
  readonly closed: Promise<Error | undefined>;
  private readonly link: SecureLink;
  private readonly decoder = new FrameDecoder();
  private readonly untaken: PevLinkMessage[] = [];
  private waiters: Array<{ type: HubMessageType; resolve: (m: PevLinkMessage) => void; reject: (e: Error) => void }> = [];
  private isClosed = false;
  private closeError?: Error;

  constructor(
    private readonly channel: ByteChannel,
    private readonly opts: PevSideOptions,
  ) {
    this.secretHex = opts.secretHex;
    this.link = new SecureLink("pev", opts.clock, opts.skewS);
    this.closed = new Promise((resolve) => {
      channel.onClose((reason) => {
        this.isClosed = true;
        this.closeError = reason;
        const err = new PevLinkError("closed", `hub closed the link${reason ? `: ${reason.message}` : ""}`);
        for (const w of this.waiters.splice(0)) w.reject(err);
        resolve(reason);
      });
    });
    channel.onData((b) => this.onBytes(b));
  }

  get vin(): string {
    return this.opts.vin;
  }

  start(): void {
    const body: PevLinkBodies["hello"] = { vin: this.opts.vin };
    if (this.opts.eumdId) body.eumd = true;
    this.write(this.link.hello(body));
  }

  next<K extends HubMessageType>(type: K, timeoutMs = this.opts.timeoutMs ?? 5000): Promise<PevLinkBodies[K]> {
    const i = this.untaken.findIndex((m) => m.header.t === type);
    if (i >= 0) return Promise.resolve(this.untaken.splice(i, 1)[0]!.body as PevLinkBodies[K]);
    if (this.isClosed) return Promise.reject(new PevLinkError("closed", `link closed while waiting for ${type}${this.closeError ? `: ${this.closeError.message}` : ""}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new PevLinkError("timeout", `no ${type} from the hub within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (m: PevLinkMessage) => {
          clearTimeout(timer);
          resolve(m.body as PevLinkBodies[K]);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  sendProof(challengeHex: string, secretHex = this.secretHex): void {
    if (!secretHex) throw new PevLinkError("protocol", "this PEV holds no per-PEV secret to prove");
    this.send("proof", { challenge: challengeHex, mac: computeProof(secretHex, this.link.transcript, challengeHex, this.opts.vin) });
  }
  ack(of: "confirm" | "params-update", accepted: boolean, reason?: string): void {
    this.send("ack", reason === undefined ? { of, accepted } : { of, accepted, reason });
  }
  eumdAck(eumdId: string, accepted: boolean, intervalS: number): void {
    this.send("eumd-ack", { eumdId, accepted, intervalS });
  }
  sendError(code: string, message: string): void {
    this.send("error", { code, message });
  }
  sendRawFrame(frame: Uint8Array): void {
    this.channel.write(frame);
  }
  close(): Promise<void> {
    this.channel.close();
    return this.closed.then(() => undefined);
  }

  private send<K extends Exclude<PevLinkMessageType, "hello">>(t: K, body: PevLinkBodies[K]): void {
    this.write(this.link.seal(t, body));
  }
  private write(payload: Uint8Array): void {
    const frame = encodeFrame(payload);
    this.sentFrames.push(frame);
    this.channel.write(frame);
  }

  private onBytes(bytes: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(bytes);
    } catch (e) {
      this.rejected.push(e as PevLinkError);
      this.channel.close();
      return;
    }
    for (const f of frames) {
      try {
        this.handle(this.link.open(f));
      } catch (e) {
        this.rejected.push(e instanceof PevLinkError ? e : new PevLinkError("malformed", String(e)));
      }
    }
  }

  private handle(m: PevLinkMessage): void {
    this.received.push(m);
    const auto = this.opts.autoAck ?? true;
    if (auto) {
      switch (m.header.t) {
        case "challenge": {
          const b = m.body as PevLinkBodies["challenge"];
          if (this.secretHex) this.sendProof(b.challenge);
          else this.sendError("no-secret", "this PEV holds no per-PEV secret: commissioning (S1) needed");
          break;
        }
        case "confirm": {
          const b = m.body as PevLinkBodies["confirm"];
          if (b.pevSecretHex) this.secretHex = b.pevSecretHex;
          if (b.params) this.params = b.params;
          const ok = b.status === "enrolled" || b.status === "guest" || b.status === "roaming";
          this.ack("confirm", ok, ok ? undefined : `binding ${b.status}`);
          break;
        }
        case "params-update":
          this.params = (m.body as PevLinkBodies["params-update"]).params;
          this.ack("params-update", true);
          break;
        case "eumd-detect": {
          const p = (m.body as PevLinkBodies["eumd-detect"]).params;
          if (this.opts.eumdId) this.eumdAck(this.opts.eumdId, true, p.intervalS);
          break;
        }
        default:
          break;
      }
    } else if (m.header.t === "confirm") {
      const b = m.body as PevLinkBodies["confirm"];
      if (b.pevSecretHex) this.secretHex = b.pevSecretHex;
      if (b.params) this.params = b.params;
    }
    const t = m.header.t as HubMessageType;
    const wi = this.waiters.findIndex((w) => w.type === t);
    if (wi >= 0) this.waiters.splice(wi, 1)[0]!.resolve(m);
    else this.untaken.push(m);
  }
}

/** PEV side over any ByteChannel (e.g. a Zigbee tunnel): sends hello and resolves once the hub's accept verifies. */
export async function openPevLink(channel: ByteChannel, opts: PevSideOptions): Promise<SimulatedPevLink> {
  const pev = new PevSide(channel, opts);
  pev.start();
  try {
    await pev.next("accept");
  } catch (e) {
    channel.close();
    const why = pev.rejected.at(-1)?.message ?? (e as Error).message;
    throw new PevLinkError("protocol", `hub did not complete the key agreement: ${why}`);
  }
  return pev;
}

/** The simulated PEV dialling the hub's PEV-link server over loopback TCP. */
export async function connectSimulatedPev(opts: PevSideOptions & { host: string; port: number }): Promise<SimulatedPevLink> {
  const channel = await connectTcpByteChannel(opts.host, opts.port, opts.timeoutMs);
  return openPevLink(channel, opts);
}
