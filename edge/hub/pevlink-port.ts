// Connects the PEV link (drivers/pevlink) to the engine, from any number of session sources: the loopback TCP server
// and the Zigbee SE tunnel (zigbee-link.ts) feed the same adapter. A PEV that speaks before the hub has seen On-Plug
// (the EVSE is polled once a second) is held for a grace period; if no plug-in follows, its link is closed (FR-06).
import type { AuthenticationParameters, BindingStatus } from "../../core/binding/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { IdOnlyLink, type PevLinkError, type PevLinkServer, type PevLinkSession } from "../../drivers/pevlink/index.ts";
import type { EngineEvent } from "../engine/types.ts";
import type { PevLinkPort } from "./ports.ts";

const PLUG_GRACE_MS = 10_000;

/** Where accepted PEV-link sessions come from: a PevLinkServer is one; the Zigbee tunnel is another. */
export type PevLinkSessionSource = Pick<PevLinkServer, "onSession" | "onLinkError">;

export class PevLinkPortAdapter implements PevLinkPort {
  private link: PevLinkSession | null = null;
  private open_ = false;
  private graceTimer: TimerHandle | null = null;
  dispatch: (e: EngineEvent) => unknown = () => {};
  /** What an EVSE-reported identifier stands for: a tag the owner registered maps to its VIN; null = no vehicle (charger-vehicle-id.ts). */
  resolveVehicleId: (id: string) => string | null = (id) => id;

  constructor(server: PevLinkSessionSource, private readonly clock: Clock, private readonly log: (l: string) => void) {
    this.attach(server);
  }

  /**
   * The EVSE reports a vehicle identifier (EVCCID, RFID, VIN) but no vehicle opened a secure link: degrade to an
   * ID-only session so the utility can still be asked (commissioning); a re-binding proof is impossible over it.
   */
  vehicleId(id: string): void {
    if (!this.open_ || this.link) return;
    const vin = this.resolveVehicleId(id);
    if (vin === null) return;
    // The label says where the identity came from; the engine records it with the session, so the utility sees it.
    this.accept(new IdOnlyLink(vin, this.clock, vin === id ? "evse vehicle id" : `the charger's idTag ${id}, registered by the owner for ${vin}`));
  }

  /** Another source of sessions; the latest link to say hello is the one the engine talks to. */
  attach(source: PevLinkSessionSource): void {
    source.onSession((s) => this.accept(s));
    source.onLinkError((e: PevLinkError, label: string) => this.log(`pev link: ${label}: ${e.message}`));
  }

  private accept(s: PevLinkSession): void {
    if (this.link && this.link !== s) this.link.close();
    this.link = s;
    if (s.mode === "id-only") this.log(`pev link: ${s.label} reports only a vehicle identifier; no proof is possible (ID-only)`);
    const via = s.mode === "id-only" ? { via: s.label } : {};
    s.on("hello", (h) => {
      if (this.open_) void this.dispatch({ type: "pev.hello", vin: h.vin, ...via });
      else {
        this.graceTimer = this.clock.setTimeout(() => {
          if (this.open_ || this.link !== s) return;
          this.log(`pev link: ${s.label} spoke but no plug-in followed within ${PLUG_GRACE_MS / 1000} s; closed (FR-06)`);
          void this.dispatch({ type: "pev.hello", vin: h.vin }); // recorded as refused by the engine
          s.close();
        }, PLUG_GRACE_MS);
      }
    });
    s.on("proof", (p) => void this.dispatch({ type: "pev.proof", ok: p.ok, reason: p.reason }));
    s.on("ack", (a) => { if (a.of === "confirm" && a.accepted) void this.dispatch({ type: "pev.ack" }); });
    s.on("eumd-ack", (a) => { if (a.accepted) void this.dispatch({ type: "eumd.ack" }); });
    s.on("error", (e) => this.log(`pev link: ${s.label}: ${e.message}`));
    s.on("closed", (e) => {
      if (this.link === s) this.link = null;
      if (this.open_) void this.dispatch({ type: "pev.link-lost", reason: e ? e.message : "the PEV closed the link" });
    });
  }

  open(): void {
    this.open_ = true;
    if (this.graceTimer) this.clock.clearTimeout(this.graceTimer);
    const hello = this.link?.hello;
    if (hello) void this.dispatch({ type: "pev.hello", vin: hello.vin, ...(this.link?.mode === "id-only" ? { via: this.link.label } : {}) });
  }

  close(): void {
    this.open_ = false;
    this.link?.close();
    this.link = null;
  }

  challenge(_vin: Vin, secretHex: string | null): void {
    if (!this.link) return;
    if (this.link.mode === "id-only" || !secretHex) {
      void this.dispatch({ type: "pev.proof", ok: false, reason: this.link.mode === "id-only" ? "ID-only link: the EVSE reports an identifier but cannot prove it" : "no per-PEV secret stored for this vehicle" });
      return;
    }
    this.link.challenge(secretHex);
  }

  confirm(status: BindingStatus, params: AuthenticationParameters | null, pevSecretHex: string | null): void {
    this.link?.confirm({ status, ...(params ? { params } : {}), ...(pevSecretHex ? { pevSecretHex } : {}) });
  }

  eumdDetect(params: AuthenticationParameters): boolean {
    if (!this.link?.hello?.eumd) return false;
    this.link.eumdDetect(params);
    return true;
  }
}
