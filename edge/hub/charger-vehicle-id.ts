// The vehicle identity a charger reports (an OCPP idTag: an RFID card, or Autocharge VID:<MAC>) as the hub uses it.
// For the ID-only path it becomes the VIN the owner registered the tag for (dashboard, vehicle_tags); and a different
// vehicle identity on the same plug-in — someone presents another card — ends the session and starts a new one with
// its own comm-wait window and binding (issue 16; FR-28). The binding itself follows the ID-only path unchanged.
import { isVin } from "../../core/ids/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { HubStore } from "../store/hub-store.ts";
import type { Hub } from "./hub.ts";

/** A card shown this long before the plug-in still belongs to it; an older one was someone else's swipe. */
const TAG_BEFORE_PLUG_S = 120;

export class ChargerVehicleIds {
  private sessionId: string | null = null;
  /** The identity the current session started with (or was first given). */
  private sessionTag: string | null = null;
  /** A tag seen before the hub saw the plug-in (cards are often presented first), or the one that starts the next session. */
  private nextTag: { tag: string; at: number } | null = null;
  /** Unregistered tags already logged in this session (the hub asks every poll). */
  private readonly warned = new Set<string>();

  constructor(private readonly hub: Hub, private readonly store: HubStore, private readonly clock: Clock, private readonly log: (l: string) => void) {
    hub.onChange((c) => {
      if (c.kind !== "step") return;
      const id = c.state.session?.id ?? null;
      if (id === this.sessionId) return;
      this.sessionId = id;
      this.warned.clear();
      const next = this.nextTag;
      this.sessionTag = id && next && this.clock.now() - next.at <= TAG_BEFORE_PLUG_S ? next.tag : null;
      this.nextTag = null;
    });
  }

  /**
   * The id the ID-only path hands the engine: the registered VIN, or the reported id when it is a VIN itself. An
   * unregistered card identifies no vehicle: null, and the session goes on to its window's end (FR-10) rather than
   * being reported to the utility as an invalid vehicle ID.
   */
  resolve = (id: string): string | null => {
    const vin = this.store.vinForTag(id);
    if (vin) {
      this.log(`hub: vehicle tag ${id} is registered for ${vin}; binding by the ID-only path`);
      return vin;
    }
    if (isVin(id)) return id;
    if (!this.warned.has(id)) {
      this.warned.add(id);
      this.log(`hub: the charger reported ${JSON.stringify(id)}, which is not registered for a vehicle (register it on the dashboard's Devices page)`);
    }
    return null;
  };

  private sameVehicle(a: string, b: string): boolean {
    if (a === b) return true;
    const va = this.store.vinForTag(a) ?? (isVin(a) ? a : null);
    return va !== null && va === (this.store.vinForTag(b) ?? (isVin(b) ? b : null));
  }

  /** The charger reported `tag` (Authorize or StartTransaction). */
  seen(tag: string): void {
    const s = this.hub.snapshot().session;
    if (!s || s.phase === "ended") {
      this.nextTag = { tag, at: this.clock.now() };
      return;
    }
    if (s.id !== this.sessionId) {
      // A session resumed after a hub restart: this is its identity from now on.
      Object.assign(this, { sessionId: s.id, sessionTag: tag, nextTag: null });
      return;
    }
    if (this.sessionTag === null || this.sameVehicle(tag, this.sessionTag)) {
      this.sessionTag ??= tag;
      return;
    }
    const was = this.sessionTag;
    this.nextTag = { tag, at: this.clock.now() };
    void this.hub.dispatch({ type: "evse.vehicle-changed", reason: `the charger reported another vehicle identity on the same plug-in (${tag} after ${was})` });
  }
}
