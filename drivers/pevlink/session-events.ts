// The hub-side view of one PEV link, whatever the transport or mode: what the session engine's shell drives.
import type { AuthenticationParameters, BindingStatus } from "../../core/binding/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { PevLinkError } from "./errors.ts";

export interface PevHello {
  /** The PEV ID exactly as sent: the hub validates it as a VIN (FR-03, FR-13). */
  vin: string;
  /** When the hub received it (hub clock). */
  at: UtcSeconds;
  /** The time the PEV stamped on it. */
  pevTime: UtcSeconds;
  /** The PEV says an EUMD is reachable through it (sub-meter inside the PEV, BR-8). */
  eumd: boolean;
}
export interface PevProofResult { ok: boolean; reason?: string }
export interface PevAck { of: "confirm" | "params-update"; accepted: boolean; reason?: string; at: UtcSeconds }
export interface EumdAck { eumdId: string; accepted: boolean; intervalS: number; at: UtcSeconds }
export interface BindingConfirmation {
  status: BindingStatus;
  params?: AuthenticationParameters;
  /** S1 only: the per-PEV secret, 32 bytes hex; sealed by the link like every message. */
  pevSecretHex?: string;
}

export interface PevLinkSessionEvents {
  hello: PevHello;
  proof: PevProofResult;
  ack: PevAck;
  "eumd-ack": EumdAck;
  error: PevLinkError;
  closed: Error | undefined;
}

export interface PevLinkSession {
  /** `secure`: authenticated link with proof; `id-only`: the EVSE only reported an identifier, nothing can be proven. */
  readonly mode: "secure" | "id-only";
  /** Transport and peer, for logs. */
  readonly label: string;
  readonly hello: PevHello | undefined;
  /** A `hello` listener added after the hello arrived is called with it at once. */
  on<E extends keyof PevLinkSessionEvents>(ev: E, cb: (payload: PevLinkSessionEvents[E]) => void): void;
  /** S2: ask the PEV to prove the per-PEV secret; the answer arrives as a `proof` event. */
  challenge(secretHex: string): void;
  /** The utility's answer, passed through to the PEV (FR-16, FR-18). */
  confirm(result: BindingConfirmation): void;
  /** S1 steps 14-16: detection message to an EUMD reachable over the link (FR-23, FR-26). */
  eumdDetect(params: AuthenticationParameters): void;
  /** Parameters changed after binding (FR-18, FR-26). */
  paramsUpdate(params: AuthenticationParameters): void;
  close(): void;
}

/** A tiny typed emitter: `hello` is sticky so late listeners still see it. */
export class SessionEmitter {
  private readonly listeners = new Map<keyof PevLinkSessionEvents, Array<(p: never) => void>>();
  private helloSeen?: PevHello;

  on<E extends keyof PevLinkSessionEvents>(ev: E, cb: (payload: PevLinkSessionEvents[E]) => void): void {
    const list = this.listeners.get(ev) ?? [];
    list.push(cb as (p: never) => void);
    this.listeners.set(ev, list);
    if (ev === "hello" && this.helloSeen) {
      const h = this.helloSeen;
      queueMicrotask(() => (cb as (p: PevHello) => void)(h));
    }
  }

  emit<E extends keyof PevLinkSessionEvents>(ev: E, payload: PevLinkSessionEvents[E]): void {
    if (ev === "hello") this.helloSeen = payload as PevHello;
    for (const cb of this.listeners.get(ev) ?? []) {
      try {
        (cb as (p: PevLinkSessionEvents[E]) => void)(payload);
      } catch (e) {
        // A listener's bug must not kill the link or the hub; report it as a link error instead.
        if (ev !== "error") this.emit("error", e as PevLinkError);
      }
    }
  }

  hasListeners(ev: keyof PevLinkSessionEvents): boolean {
    return (this.listeners.get(ev)?.length ?? 0) > 0;
  }
}
