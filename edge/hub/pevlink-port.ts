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

/**
 * One vehicle per plug-in: the first link to claim the plug-in is the one the engine talks to. A second claim
 * before that link proved itself (or before the binding was decided) makes the whole plug-in untrustworthy, and the
 * session falls back ("two vehicles claimed this plug-in"); a claim after that is refused and recorded, and never
 * disturbs the link that holds the plug-in. Proofs and acknowledgements count only from that link (FR-19).
 */
export class PevLinkPortAdapter implements PevLinkPort {
  /** The link the engine talks to in this plug-in. */
  private link: PevLinkSession | null = null;
  /** The link proved its secret, or the binding was decided (or fell back) over it: later claims are refused. */
  private decided = false;
  private open_ = false;
  /** Links that said hello before the EVSE reported the plug-in, each with its FR-06 grace timer. */
  private readonly early = new Map<PevLinkSession, TimerHandle>();
  private readonly heard = new WeakSet<PevLinkSession>();
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

  /** Another source of sessions (TCP server, Zigbee tunnel): every source's links compete for the same plug-in. */
  attach(source: PevLinkSessionSource): void {
    source.onSession((s) => this.accept(s));
    source.onLinkError((e: PevLinkError, label: string) => this.log(`pev link: ${label}: ${e.message}`));
  }

  private accept(s: PevLinkSession): void {
    if (s.mode === "id-only") this.log(`pev link: ${s.label} reports only a vehicle identifier; no proof is possible (ID-only)`);
    s.on("hello", () => this.heardHello(s));
    s.on("proof", (p) => {
      if (s !== this.link) return;
      if (p.ok) this.decided = true;
      void this.dispatch({ type: "pev.proof", ok: p.ok, reason: p.reason });
    });
    s.on("ack", (a) => { if (s === this.link && a.of === "confirm" && a.accepted) void this.dispatch({ type: "pev.ack" }); });
    s.on("eumd-ack", (a) => { if (s === this.link && a.accepted) void this.dispatch({ type: "eumd.ack" }); });
    s.on("error", (e) => this.log(`pev link: ${s.label}: ${e.message}`));
    s.on("closed", (e) => {
      this.forgetEarly(s);
      if (this.link !== s) return;
      this.link = null;
      if (this.open_) void this.dispatch({ type: "pev.link-lost", reason: e ? e.message : "the PEV closed the link" });
    });
    // A session is handed over once its hello was accepted, so its VIN is usually known already.
    if (s.hello) this.heardHello(s);
  }

  private heardHello(s: PevLinkSession): void {
    if (this.heard.has(s) || !s.hello) return;
    this.heard.add(s);
    if (this.open_) { this.claim(s); return; }
    const vin = s.hello.vin;
    this.early.set(s, this.clock.setTimeout(() => {
      if (this.open_ || !this.early.has(s)) return;
      this.early.delete(s);
      this.log(`pev link: ${s.label} spoke but no plug-in followed within ${PLUG_GRACE_MS / 1000} s; closed (FR-06)`);
      void this.dispatch({ type: "pev.hello", vin }); // recorded as refused by the engine
      s.close();
    }, PLUG_GRACE_MS));
  }

  private forgetEarly(s: PevLinkSession): void {
    const t = this.early.get(s);
    if (t) this.clock.clearTimeout(t);
    this.early.delete(s);
  }

  /** `s` claims the plug-in that is open now. */
  private claim(s: PevLinkSession): void {
    const vin = s.hello!.vin;
    if (this.link === s) return;
    if (!this.link) {
      this.link = s;
      // An ID-only identity says where it came from (e.g. a registered idTag): the engine records it for the utility.
      void this.dispatch({ type: "pev.hello", vin, ...(s.mode === "id-only" ? { via: s.label } : {}) });
      return;
    }
    const holder = `${this.link.label} (VIN ${this.link.hello?.vin ?? "?"})`;
    const newcomer = `${s.label} (VIN ${vin})`;
    s.close();
    if (this.decided) {
      this.log(`pev link: ${newcomer} claimed the plug-in held by ${holder}; refused`);
      void this.dispatch({ type: "pev.claim-refused", reason: `${newcomer} claimed the plug-in after ${holder} had proved itself or been decided; refused` });
      return;
    }
    this.decided = true;
    this.log(`pev link: ${holder} and ${newcomer} both claimed this plug-in; neither can be trusted`);
    void this.dispatch({ type: "pev.claim-conflict", reason: `${holder} and ${newcomer}` });
  }

  open(): void {
    this.open_ = true;
    this.decided = false;
    // Every link that spoke before the plug-in was seen claims it now, oldest first: two of them is a conflict.
    const early = [...this.early.keys()];
    for (const s of early) this.forgetEarly(s);
    for (const s of early) this.claim(s);
  }

  close(): void {
    this.open_ = false;
    this.decided = false;
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
    this.decided = true;
    this.link?.confirm({ status, ...(params ? { params } : {}), ...(pevSecretHex ? { pevSecretHex } : {}) });
  }

  eumdDetect(params: AuthenticationParameters): boolean {
    if (!this.link?.hello?.eumd) return false;
    this.link.eumdDetect(params);
    return true;
  }
}
