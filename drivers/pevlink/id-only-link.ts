// When the EVSE reports only a vehicle identifier (ISO 15118 EVCCID, RFID tag, a VIN read over its own
// protocol) there is no link to the PEV: nothing can be proven or delivered. This session says so instead of pretending.
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { Clock } from "../../core/time/index.ts";
import { PevLinkError } from "./errors.ts";
import { SessionEmitter, type BindingConfirmation, type PevHello, type PevLinkSession, type PevLinkSessionEvents } from "./session-events.ts";

export const ID_ONLY_NO_PROOF = "id-only link: the EVSE reported only a vehicle identifier, so no proof is possible";

export class IdOnlyLink implements PevLinkSession {
  readonly mode = "id-only" as const;
  readonly hello: PevHello;
  /** What the hub would have told the vehicle, kept so the dashboard can still show it (FR-17). */
  readonly undelivered: Array<{ kind: "confirm" | "eumd-detect" | "params-update"; payload: BindingConfirmation | AuthenticationParameters }> = [];
  private readonly events = new SessionEmitter();
  private closed = false;

  constructor(vehicleId: string, clock: Clock, readonly label = "evse vehicle id") {
    const now = clock.now();
    this.hello = { vin: vehicleId, at: now, pevTime: now, eumd: false };
    this.events.emit("hello", this.hello);
  }

  on<E extends keyof PevLinkSessionEvents>(ev: E, cb: (payload: PevLinkSessionEvents[E]) => void): void {
    this.events.on(ev, cb);
  }
  challenge(_secretHex: string): void {
    queueMicrotask(() => this.events.emit("proof", { ok: false, reason: ID_ONLY_NO_PROOF }));
  }
  confirm(result: BindingConfirmation): void {
    this.undelivered.push({ kind: "confirm", payload: result });
  }
  eumdDetect(params: AuthenticationParameters): void {
    this.undelivered.push({ kind: "eumd-detect", payload: params });
    queueMicrotask(() => this.events.emit("error", new PevLinkError("protocol", "id-only link: no EUMD reachable through the vehicle")));
  }
  paramsUpdate(params: AuthenticationParameters): void {
    this.undelivered.push({ kind: "params-update", payload: params });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit("closed", undefined);
  }
}
