// Hub side of a secure PEV link over any ByteChannel: frames in, verified messages out as session events.
import { randomBytes } from "node:crypto";
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { ByteChannel } from "./byte-channel.ts";
import { PevLinkError } from "./errors.ts";
import { encodeFrame, FrameDecoder } from "./framing.ts";
import type { PevLinkBodies, PevLinkMessage, PevLinkMessageType } from "./messages.ts";
import { parseSecretHex, verifyProof } from "./proof.ts";
import { NonceCache } from "./nonce-cache.ts";
import { SecureLink } from "./secure-link.ts";
import { SessionEmitter, type BindingConfirmation, type PevHello, type PevLinkSession, type PevLinkSessionEvents } from "./session-events.ts";

export interface AcceptOptions {
  clock: Clock;
  /** Allowed clock difference, seconds (default 120). */
  skewS?: number;
  /** Close a link whose PEV sends no hello within this many ms of the hub's clock (default 30 s). */
  helloTimeoutMs?: number;
  /** Shared across links, so a hello captured from one link is refused on another. */
  seenHellos?: NonceCache;
  /** Shown to the PEV in accept, e.g. the hub ID. */
  hubName?: string;
}

class SecureHubSession implements PevLinkSession {
  readonly mode = "secure" as const;
  private readonly events = new SessionEmitter();
  private readonly link: SecureLink;
  private readonly decoder = new FrameDecoder();
  private pendingChallenge?: { challenge: string; secretHex: string };
  private eumdDetectSent = false;
  private closed = false;
  private helloInfo?: PevHello;

  constructor(
    private readonly channel: ByteChannel,
    private readonly opts: AcceptOptions,
    private readonly onReady: (s: PevLinkSession) => void,
  ) {
    this.link = new SecureLink("hub", opts.clock, opts.skewS);
    const helloTimer = opts.clock.setTimeout(() => {
      if (!this.helloInfo) this.fail(new PevLinkError("timeout", `no hello from ${channel.label} within ${opts.helloTimeoutMs ?? 30_000} ms`));
    }, opts.helloTimeoutMs ?? 30_000);
    channel.onData((bytes) => this.onBytes(bytes));
    channel.onClose((reason) => {
      opts.clock.clearTimeout(helloTimer);
      if (this.closed) return;
      this.closed = true;
      this.events.emit("closed", reason);
    });
  }

  get label(): string {
    return this.channel.label;
  }
  get hello(): PevHello | undefined {
    return this.helloInfo;
  }

  on<E extends keyof PevLinkSessionEvents>(ev: E, cb: (payload: PevLinkSessionEvents[E]) => void): void {
    this.events.on(ev, cb);
  }

  challenge(secretHex: string): void {
    parseSecretHex(secretHex);
    const challenge = randomBytes(32).toString("hex");
    this.pendingChallenge = { challenge, secretHex };
    this.send("challenge", { challenge });
  }

  confirm(result: BindingConfirmation): void {
    if (result.pevSecretHex !== undefined) parseSecretHex(result.pevSecretHex);
    const body: PevLinkBodies["confirm"] = { status: result.status };
    if (result.params) body.params = result.params;
    if (result.pevSecretHex) body.pevSecretHex = result.pevSecretHex;
    this.send("confirm", body);
  }

  eumdDetect(params: AuthenticationParameters): void {
    this.eumdDetectSent = true;
    this.send("eumd-detect", { params });
  }

  paramsUpdate(params: AuthenticationParameters): void {
    this.send("params-update", { params });
  }

  close(): void {
    this.channel.close();
  }

  private send<K extends Exclude<PevLinkMessageType, "hello">>(t: K, body: PevLinkBodies[K]): void {
    if (this.closed) {
      // The PEV may unplug between the utility's answer and our send: report it, never throw into the caller's flow.
      const err = new PevLinkError("closed", `cannot send ${t}: link ${this.channel.label} is closed`);
      queueMicrotask(() => this.events.emit("error", err));
      return;
    }
    this.channel.write(encodeFrame(this.link.seal(t, body)));
  }

  private onBytes(bytes: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(bytes);
    } catch (e) {
      // The stream is out of step: nothing after this can be framed, so close cleanly.
      this.fail(e as PevLinkError);
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      let msg: PevLinkMessage;
      try {
        msg = this.link.open(f);
      } catch (e) {
        const err = e instanceof PevLinkError ? e : new PevLinkError("malformed", String(e));
        if (!this.link.established) {
          this.fail(err); // no hello, no link
          return;
        }
        // A bad message after the handshake is dropped and reported; the link carries on (an injected frame must not end a good link).
        this.events.emit("error", err);
        this.trySend("error", { code: err.code, message: err.message.slice(0, 500) });
        continue;
      }
      this.dispatch(msg);
    }
  }

  private dispatch(msg: PevLinkMessage): void {
    const now = this.opts.clock.now();
    switch (msg.header.t) {
      case "hello": {
        const body = msg.body as PevLinkBodies["hello"];
        if (this.opts.seenHellos && !this.opts.seenHellos.add(msg.header.n, now)) {
          this.fail(new PevLinkError("replay", `hello nonce ${msg.header.n} was already used on another link`));
          return;
        }
        this.send("accept", this.opts.hubName ? { hub: this.opts.hubName } : {});
        this.helloInfo = { vin: body.vin, at: now, pevTime: msg.header.at, eumd: body.eumd ?? false };
        this.onReady(this);
        this.events.emit("hello", this.helloInfo);
        return;
      }
      case "proof": {
        const body = msg.body as PevLinkBodies["proof"];
        const pending = this.pendingChallenge;
        if (!pending) {
          this.events.emit("proof", { ok: false, reason: "proof without a pending challenge" });
          return;
        }
        this.pendingChallenge = undefined; // one answer per challenge
        if (body.challenge !== pending.challenge) {
          this.events.emit("proof", { ok: false, reason: "proof answers a different challenge" });
          return;
        }
        const ok = verifyProof(pending.secretHex, this.link.transcript, pending.challenge, this.helloInfo!.vin, body.mac);
        this.events.emit("proof", ok ? { ok } : { ok, reason: "proof does not match the per-PEV secret (wrong secret or wrong vehicle)" });
        return;
      }
      case "ack": {
        const b = msg.body as PevLinkBodies["ack"];
        this.events.emit("ack", { ...b, at: now });
        return;
      }
      case "eumd-ack": {
        if (!this.eumdDetectSent) {
          this.events.emit("error", new PevLinkError("protocol", "eumd-ack without an eumd-detect"));
          return;
        }
        this.events.emit("eumd-ack", { ...(msg.body as PevLinkBodies["eumd-ack"]), at: now });
        return;
      }
      case "error": {
        const b = msg.body as PevLinkBodies["error"];
        this.events.emit("error", new PevLinkError("peer", `PEV reported ${b.code}: ${b.message}`));
        return;
      }
      default:
        this.events.emit("error", new PevLinkError("protocol", `unexpected ${msg.header.t} from the PEV`));
    }
  }

  private trySend<K extends Exclude<PevLinkMessageType, "hello">>(t: K, body: PevLinkBodies[K]): void {
    try {
      this.send(t, body);
    } catch {
      /* closed meanwhile: nothing to tell */
    }
  }

  private fail(err: PevLinkError): void {
    if (this.closed) return;
    this.events.emit("error", err);
    this.channel.close();
  }
}

/**
 * Runs the hub side of the PEV link on `channel`. `onSession` is called once the PEV's hello has been
 * accepted (its VIN is then in `session.hello`); a link that never says hello is closed after the timeout.
 * `onEarlyError` hears about links that failed before hello (malformed first frame, replayed hello, timeout).
 */
export function acceptPevLinkChannel(channel: ByteChannel, opts: AcceptOptions, onSession: (s: PevLinkSession) => void, onEarlyError?: (e: PevLinkError, label: string) => void): void {
  const s = new SecureHubSession(channel, opts, onSession);
  s.on("error", (e) => {
    if (!s.hello) onEarlyError?.(e, channel.label);
  });
}
