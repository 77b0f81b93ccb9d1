// FR-09: the secure link between PEV (or its EVSE) and the hub.
//   hello  (PEV → hub, clear): VIN + PEV ephemeral X25519 key
//   accept (hub → PEV): hub ephemeral X25519 key, sealed with the derived keys (key confirmation)
//   keys = HKDF-SHA256(X25519 shared secret, salt = SHA-256(label ‖ hello bytes ‖ hub key)) → one AES-256-GCM key per direction
// Every later message is AES-256-GCM sealed with its header as associated data, so a changed byte anywhere fails.
// Replay: per-direction sequence numbers must increase, nonces are never accepted twice, and a message's UTC time must
// lie within `skewS` of ours. State advances only after a message verifies, so forged input cannot burn sequence numbers.
// The transcript hash doubles as channel binding for the S2 proof. Ephemeral DH alone cannot stop an active
// man-in-the-middle at the very first commissioning (trust on first use); from then on the proof binds the link.
import { createCipheriv, createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";
import type { Clock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { PevLinkError } from "./errors.ts";
import { isMessageType, parseBody, PEV_LINK_VERSION, SENT_BY_HUB, SENT_BY_PEV, type PevLinkBodies, type PevLinkHeader, type PevLinkMessage, type PevLinkMessageType } from "./messages.ts";

export type LinkRole = "pev" | "hub";

const KDF_LABEL = "offpeak-pevlink-v1";
/** Default tolerated difference between the two clocks, seconds. Both sides keep UTC (NFR-1); 2 minutes absorbs drift. */
export const DEFAULT_SKEW_S = 120;
/** Nonces remembered per direction; sequence numbers already stop replays, this bounds memory for the belt-and-braces check. */
const MAX_NONCES = 4096;

interface WireEnvelope { v: unknown; t: unknown; seq: unknown; n: unknown; at: unknown; kx?: unknown; body?: unknown; ct?: unknown }

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

function aad(h: PevLinkHeader): Uint8Array {
  return utf8.encode(JSON.stringify([h.v, h.t, h.seq, h.n, h.at, h.kx ?? null]));
}
function iv(seq: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(BigInt(seq), 4);
  return b;
}
function rawPublicKey(k: KeyObject): string {
  const jwk = k.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new PevLinkError("protocol", "could not export the ephemeral public key");
  return jwk.x;
}
function importPublicKey(x: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(x)) throw new PevLinkError("malformed", "kx must be a 32-byte X25519 public key, base64url");
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "X25519", x }, format: "jwk" });
  } catch (e) {
    throw new PevLinkError("malformed", `kx is not a usable X25519 public key: ${(e as Error).message}`);
  }
}

export class SecureLink {
  private readonly ephemeral = generateKeyPairSync("x25519");
  private sendKey?: Buffer;
  private recvKey?: Buffer;
  private helloBytes?: Uint8Array;
  private transcriptHash?: Buffer;
  private sendSeq = 0;
  private lastRecvSeq = -1;
  private readonly seenNonces = new Set<string>();

  constructor(
    readonly role: LinkRole,
    private readonly clock: Clock,
    private readonly skewS: number = DEFAULT_SKEW_S,
  ) {}

  get established(): boolean {
    return this.sendKey !== undefined;
  }

  /** SHA-256 of the handshake; the S2 proof covers it. */
  get transcript(): Uint8Array {
    if (!this.transcriptHash) throw new PevLinkError("protocol", "no transcript before the key agreement completes");
    return this.transcriptHash;
  }

  /** PEV side, first message. */
  hello(body: PevLinkBodies["hello"]): Uint8Array {
    if (this.role !== "pev" || this.helloBytes) throw new PevLinkError("protocol", "hello is sent once, by the PEV, first");
    const header = this.header("hello", rawPublicKey(this.ephemeral.publicKey));
    const bytes = utf8.encode(JSON.stringify({ ...header, body }));
    this.helloBytes = bytes;
    return bytes;
  }

  /** Seals a message for the peer. On the hub, `accept` completes the key agreement. */
  seal<K extends Exclude<PevLinkMessageType, "hello">>(t: K, body: PevLinkBodies[K]): Uint8Array {
    const allowed = this.role === "pev" ? SENT_BY_PEV : SENT_BY_HUB;
    if (!allowed.has(t)) throw new PevLinkError("protocol", `the ${this.role} does not send ${t}`);
    let kx: string | undefined;
    if (t === "accept") {
      if (this.established || !this.helloBytes) throw new PevLinkError("protocol", "accept answers a hello, once");
      kx = rawPublicKey(this.ephemeral.publicKey);
      this.derive(this.peerKeyFromHello(), kx);
    } else if (!this.sendKey) {
      throw new PevLinkError("protocol", `cannot send ${t} before the key agreement completes`);
    }
    const header = this.header(t, kx);
    const c = createCipheriv("aes-256-gcm", this.sendKey!, iv(header.seq));
    c.setAAD(aad(header));
    const ct = Buffer.concat([c.update(JSON.stringify(body), "utf8"), c.final(), c.getAuthTag()]);
    return utf8.encode(JSON.stringify({ ...header, ct: ct.toString("base64url") }));
  }

  /** Verifies and decodes one frame from the peer, or throws a PevLinkError naming what failed. */
  open(payload: Uint8Array): PevLinkMessage {
    let env: WireEnvelope;
    try {
      const parsed: unknown = JSON.parse(fromUtf8.decode(payload));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
      env = parsed as WireEnvelope;
    } catch (e) {
      throw new PevLinkError("malformed", `frame of ${payload.length} bytes is not a JSON message: ${(e as Error).message}`);
    }
    const header = this.checkHeader(env);
    let rawBody: unknown;
    if (header.t === "hello") {
      if (this.role !== "hub" || this.helloBytes) throw new PevLinkError("protocol", "unexpected hello: a link has exactly one, first");
      rawBody = env.body;
      const body = parseBody("hello", rawBody);
      if (!header.kx) throw new PevLinkError("malformed", "hello without the PEV's key (kx)");
      importPublicKey(header.kx);
      this.helloBytes = payload.slice();
      this.commit(header);
      return { header: header as PevLinkHeader & { t: "hello" }, body };
    }
    if (header.t === "accept") {
      if (this.role !== "pev" || this.established || !this.helloBytes) throw new PevLinkError("protocol", "unexpected accept");
      if (!header.kx) throw new PevLinkError("malformed", "accept without the hub's key (kx)");
      this.derive(importPublicKey(header.kx), header.kx);
    } else if (!this.recvKey) {
      throw new PevLinkError("protocol", `${header.t} before the key agreement completed`);
    }
    if (typeof env.ct !== "string" || !/^[A-Za-z0-9_-]+$/.test(env.ct)) throw new PevLinkError("malformed", `${header.t} message without a sealed body (ct)`);
    const ct = Buffer.from(env.ct, "base64url");
    if (ct.length < 16) throw new PevLinkError("malformed", `${header.t} message: sealed body shorter than its tag`);
    try {
      const d = createDecipheriv("aes-256-gcm", this.recvKey!, iv(header.seq));
      d.setAAD(aad(header));
      d.setAuthTag(ct.subarray(ct.length - 16));
      const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
      rawBody = JSON.parse(plain.toString("utf8"));
    } catch {
      if (header.t === "accept") this.undoDerive();
      throw new PevLinkError("tampered", `${header.t} message seq ${header.seq}: authentication failed (altered, or not from this link's peer)`);
    }
    const body = parseBody(header.t, rawBody);
    this.commit(header);
    return { header, body } as PevLinkMessage;
  }

  private header(t: PevLinkMessageType, kx?: string): PevLinkHeader {
    const h: PevLinkHeader = { v: PEV_LINK_VERSION, t, seq: this.sendSeq++, n: randomBytes(16).toString("hex"), at: this.clock.now() };
    if (kx) h.kx = kx;
    return h;
  }

  private checkHeader(env: WireEnvelope): PevLinkHeader {
    if (env.v !== PEV_LINK_VERSION) throw new PevLinkError("version", `message version ${JSON.stringify(env.v)} is not supported (this hub speaks ${PEV_LINK_VERSION})`);
    if (!isMessageType(env.t)) throw new PevLinkError("malformed", `unknown message type ${JSON.stringify(env.t)}`);
    const from = this.role === "hub" ? SENT_BY_PEV : SENT_BY_HUB;
    if (!from.has(env.t)) throw new PevLinkError("protocol", `${env.t} cannot come from the ${this.role === "hub" ? "PEV" : "hub"}`);
    if (!Number.isSafeInteger(env.seq) || (env.seq as number) < 0) throw new PevLinkError("malformed", `${env.t} message: seq must be a non-negative integer`);
    if (typeof env.n !== "string" || !/^[0-9a-f]{32}$/.test(env.n)) throw new PevLinkError("malformed", `${env.t} message: nonce n must be 16 bytes of hex`);
    if (!Number.isSafeInteger(env.at) || (env.at as number) < 0) throw new PevLinkError("malformed", `${env.t} message: at must be whole UTC seconds`);
    if (env.kx !== undefined && typeof env.kx !== "string") throw new PevLinkError("malformed", `${env.t} message: kx must be a string`);
    const h: PevLinkHeader = { v: PEV_LINK_VERSION, t: env.t, seq: env.seq as number, n: env.n, at: env.at as UtcSeconds };
    if (typeof env.kx === "string") h.kx = env.kx;
    if (h.seq <= this.lastRecvSeq) throw new PevLinkError("replay", `${h.t} message seq ${h.seq} already seen (last accepted ${this.lastRecvSeq})`);
    if (this.seenNonces.has(h.n)) throw new PevLinkError("replay", `${h.t} message nonce ${h.n} already seen`);
    const now = this.clock.now();
    if (Math.abs(now - h.at) > this.skewS) throw new PevLinkError("stale", `${h.t} message time ${h.at} is ${h.at - now} s from ours (allowed ±${this.skewS} s)`);
    return h;
  }

  private commit(h: PevLinkHeader): void {
    this.lastRecvSeq = h.seq;
    this.seenNonces.add(h.n);
    if (this.seenNonces.size > MAX_NONCES) this.seenNonces.delete(this.seenNonces.values().next().value as string);
  }

  private peerKeyFromHello(): KeyObject {
    const env = JSON.parse(fromUtf8.decode(this.helloBytes!)) as { kx: string };
    return importPublicKey(env.kx);
  }

  private derive(peer: KeyObject, hubKx: string): void {
    const shared = diffieHellman({ privateKey: this.ephemeral.privateKey, publicKey: peer });
    this.transcriptHash = createHash("sha256").update(KDF_LABEL).update(new Uint8Array([0])).update(this.helloBytes!).update(hubKx).digest();
    const okm = Buffer.from(hkdfSync("sha256", shared, this.transcriptHash, `${KDF_LABEL} session keys`, 64));
    const pevToHub = okm.subarray(0, 32);
    const hubToPev = okm.subarray(32, 64);
    this.sendKey = this.role === "pev" ? pevToHub : hubToPev;
    this.recvKey = this.role === "pev" ? hubToPev : pevToHub;
  }

  private undoDerive(): void {
    this.sendKey = undefined;
    this.recvKey = undefined;
    this.transcriptHash = undefined;
  }
}
