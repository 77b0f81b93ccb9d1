// The hub's Zigbee Smart Energy side (docs/zigbee.md), started by startHubProcess when [zigbee] is configured:
// the coordinator (data under <data_dir>/zigbee; USB sticks through the loopback serial bridge), binding results on
// SE displays (FR-17, FR-24), the tariff price published at every period change, utility DR events to the EV device
// class with the device's ReportEventStatus in the hub log, SE meters as EUMD/premises meter (FR-20), and PEV-link
// sessions carried over the SE Tunneling cluster into the same PevLinkPortAdapter the TCP server feeds.
import type { FallbackReason } from "../../core/binding/index.ts";
import { DeviceError, type Meter, type MeterReading } from "../../core/ports/index.ts";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { versionAt, type Tariff } from "../../core/tariff/index.ts";
import { toIso, type UtcSeconds } from "../../core/time/index.ts";
import { acceptPevLinkChannel, NonceCache, type PevLinkError, type PevLinkSession } from "../../drivers/pevlink/index.ts";
import { startSerialBridge, ZigbeeCoordinator, ZigbeeSmartEnergy, type EventStatusReport, type PriceAt as SePriceAt, type SerialBridge, type ZigbeeCoordinatorOptions } from "../../drivers/zigbee/index.ts";
import type { ZigbeeConfig } from "../config/schema.ts";
import type { Command, DemandResponse } from "../engine/types.ts";
import type { Hub } from "./hub.ts";
import type { BindingOutcome, Display, ZigbeeNetwork, ZigbeeNetworkView } from "./ports.ts";
import type { PevLinkSessionSource } from "./pevlink-port.ts";

/** How often the tariff in force is checked against what the SE devices were last told, ms of clock time. */
export const PRICE_CHECK_MS = 60_000;

export interface ZigbeeLinkOptions {
  config: ZigbeeConfig;
  /** The coordinator's own folder: `<data_dir>/zigbee`. */
  dataDir: string;
  clock: Clock;
  log: (line: string) => void;
  hubName?: string;
  /** Tests only: herdsman runs on this adapter instead of a real coordinator. */
  adapterForTests?: ZigbeeCoordinatorOptions["adapterForTests"];
}

// A 2-line SE display holds 59 bytes; the engine's fallback sentences do not fit, so these are the short forms.
const SHORT_REASON: Record<FallbackReason, string> = {
  "comm-timeout": "utility did not answer in time",
  rejected: "utility rejected the vehicle",
  "not-enrolled": "vehicle not enrolled here",
  "no-eumd": "no charging sub-meter found",
  "invalid-pev-id": "invalid vehicle ID",
  "proof-failed": "vehicle could not prove its ID",
  "two-vehicles": "two vehicles claimed the plug",
  "no-pev-id": "vehicle did not identify itself",
};

/**
 * SE criticality levels (D.2.2.3.1.1.5): 1 green, 2..6 = levels 1..5, 7 emergency, 8 planned outage, 9 service
 * disconnect. A pause (level 4) is more critical than a curtailment (level 3); neither is an emergency.
 */
const CRITICALITY = { pause: 5, curtail: 4 } as const;

/** The tariff's local date of UTC second t (YYYY-MM-DD), to find the version in force. */
const localDate = (timeZone: string, t: UtcSeconds): string =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(t * 1000));

/** SE Number of Price Tiers: the periods of the tariff version in force at `t` (each period is one tier). */
export function tariffTiers(tariff: Tariff, t: UtcSeconds): number {
  const v = versionAt(tariff, localDate(tariff.timeZone, t)) ?? tariff.versions[0];
  return v ? v.energyratestructure.length : 0;
}

export class ZigbeeLink implements ZigbeeNetwork {
  private hub: Hub | null = null;
  private priceTimer: TimerHandle | null = null;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  /** Engine DR id → the SE issuer event ID sent for it, so ReportEventStatus can be named and cancels addressed. */
  private readonly drSent = new Map<string, number>();
  private readonly sessionCbs: Array<(s: PevLinkSession) => void> = [];
  private readonly linkErrorCbs: Array<(e: PevLinkError, label: string) => void> = [];
  private readonly heldSessions: PevLinkSession[] = [];
  private readonly meters = new Map<string, Meter>();
  private lastDrIssuer = 0;

  private constructor(
    readonly coordinator: ZigbeeCoordinator,
    readonly se: ZigbeeSmartEnergy,
    private readonly bridge: SerialBridge | null,
    private readonly opts: ZigbeeLinkOptions,
  ) {
    se.onError((e) => opts.log(`zigbee: ${e.message}`));
    se.onEventStatus((r) => this.eventStatus(r));
    const seenHellos = new NonceCache(600);
    se.onTunnel((t) =>
      acceptPevLinkChannel(t, { clock: opts.clock, seenHellos, hubName: opts.hubName }, (s) => {
        if (this.sessionCbs.length === 0) this.heldSessions.push(s);
        for (const cb of this.sessionCbs) cb(s);
      }, (e, label) => {
        for (const cb of this.linkErrorCbs) cb(e, label);
      }),
    );
  }

  static async start(opts: ZigbeeLinkOptions): Promise<ZigbeeLink> {
    const c = opts.config;
    let bridge: SerialBridge | null = null;
    let path = c.path;
    if (!c.path.startsWith("tcp://") && !opts.adapterForTests) {
      // The native serialport binding does not load under Bun: the hub serves the stick on loopback itself.
      bridge = await startSerialBridge({ ttyPath: c.path, baudRate: c.baud_rate, port: 0 });
      path = bridge.url;
      opts.log(`zigbee: serving ${c.path} at ${bridge.url} for the coordinator`);
    }
    let coordinator: ZigbeeCoordinator;
    try {
      coordinator = await ZigbeeCoordinator.start({
        dataDir: opts.dataDir, path, adapter: c.adapter, baudRate: c.baud_rate, channel: c.channel,
        ...(opts.adapterForTests ? { adapterForTests: opts.adapterForTests } : {}),
      });
    } catch (e) {
      await bridge?.close();
      throw e;
    }
    const se = new ZigbeeSmartEnergy({ coordinator, clock: opts.clock, providerId: c.provider_id });
    opts.log(`zigbee: ${c.adapter} coordinator at ${c.path} on channel ${c.channel}, ${coordinator.devices().filter((d) => d.type !== "Coordinator").length} device(s) known`);
    return new ZigbeeLink(coordinator, se, bridge, opts);
  }

  /** PEV-link sessions arriving over the SE tunnel; hand to PevLinkPortAdapter.attach. Sessions before a listener are held. */
  readonly pevSessions: PevLinkSessionSource = {
    onSession: (cb) => {
      this.sessionCbs.push(cb);
      for (const s of this.heldSessions.splice(0)) cb(s);
    },
    onLinkError: (cb) => void this.linkErrorCbs.push(cb),
  };

  /** FR-17, FR-24: the engine's binding results on every SE display (IHD, EVSE, EV). */
  readonly display: Display = {
    show: (text: string, outcome?: BindingOutcome) => {
      if (!outcome) return; // SE displays get binding results only; other text stays on the dashboard
      const shown = outcome.established
        ? { established: true, ...(outcome.programName ? { programName: outcome.programName } : {}) }
        : { established: false, reason: outcome.fallbackReason ? SHORT_REASON[outcome.fallbackReason] : outcome.reason ?? text };
      this.se.showBindingResult(shown).catch((e: Error) => this.opts.log(`zigbee: could not show the binding result: ${e.message}`));
    },
  };

  /** An SE metering device as a Meter port. A device that has not joined yet reads as an error until it does. */
  meter(ieee: string, endpoint: number): Meter {
    const key = `${ieee}/${endpoint}`;
    let m = this.meters.get(key);
    if (!m) {
      // Made now when the device is known, so attribute reports that arrive before the first poll are kept.
      let inner: Meter | null = this.knownMeter(ieee, endpoint);
      m = {
        read: async (): Promise<MeterReading> => {
          if (!inner) {
            try {
              inner = this.se.meter(ieee, endpoint);
            } catch (e) {
              throw new DeviceError(`zigbee meter ${ieee}/${endpoint}`, "disconnected", `${(e as Error).message} (has it joined? use permit join on the Devices page)`);
            }
          }
          return inner.read();
        },
        close: async () => {},
      };
      this.meters.set(key, m);
    }
    return m;
  }

  private knownMeter(ieee: string, endpoint: number): Meter | null {
    try {
      return this.se.meter(ieee, endpoint);
    } catch {
      return null;
    }
  }

  /** Starts price publishing and demand response once the hub exists. */
  attach(hub: Hub): void {
    this.hub = hub;
    this.unsubscribe = hub.onChange((c) => {
      if (c.kind !== "step") return;
      for (const cmd of c.commands) if (cmd.type === "dr.status") this.drStatus(cmd, c.state.dr);
      // A binding changes which tariff prices the session: check at once rather than at the next minute.
      if (c.commands.some((x) => x.type === "display")) this.publishPrice();
    });
    // After a restart the engine may already be inside a DR event: the EV must hear about it again.
    const dr = hub.snapshot().dr;
    if (dr && !dr.optedOut) this.sendDr(dr);
    const loop = () => {
      if (this.stopped) return;
      this.publishPrice();
      this.priceTimer = this.opts.clock.setTimeout(loop, PRICE_CHECK_MS);
    };
    loop();
  }

  view(): ZigbeeNetworkView {
    const end = this.coordinator.controller.getPermitJoinEnd();
    return {
      adapter: this.opts.config.adapter,
      channel: this.opts.config.channel,
      permitJoinSecondsLeft: end === undefined ? 0 : Math.max(0, Math.ceil((end - Date.now()) / 1000)),
      devices: this.coordinator.devices().filter((d) => d.type !== "Coordinator").map((d) => ({
        ieeeAddr: d.ieeeAddr, networkAddress: d.networkAddress, type: d.type, modelId: d.modelId ?? null, manufacturer: d.manufacturer ?? null,
        interview: d.interview, lastSeen: d.lastSeen ?? null,
      })),
    };
  }

  async permitJoin(seconds: number): Promise<void> {
    await this.coordinator.permitJoin(seconds);
    this.opts.log(seconds ? `zigbee: permit join open for ${seconds} s` : "zigbee: permit join closed");
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.priceTimer) this.opts.clock.clearTimeout(this.priceTimer);
    this.unsubscribe?.();
    this.se.close();
    try {
      await this.coordinator.stop();
    } finally {
      await this.bridge?.close();
    }
  }

  private publishPrice(): void {
    const view = this.hub?.prices();
    const tariff = this.hub?.schedule?.tariffNow();
    if (!view || !tariff || this.stopped) return;
    const c = view.current;
    const at: SePriceAt = { period: c.period, tiers: tariffTiers(tariff, c.since), label: c.periodName, priceMicroUsdPerKWh: c.priceMicroUsdPerKWh, since: c.since, until: c.until };
    this.se.setPrice(at).then(
      (sent) => { if (sent) this.opts.log(`zigbee: price published: ${c.periodName} ${c.priceMicroUsdPerKWh} µ$/kWh until ${toIso(c.until)}`); },
      (e: Error) => this.opts.log(`zigbee: could not publish the price: ${e.message}`),
    );
  }

  private drStatus(cmd: Extract<Command, { type: "dr.status" }>, dr: DemandResponse | null): void {
    if (cmd.status === "received" || cmd.status === "started") {
      if (dr && dr.id === cmd.id && !this.drSent.has(cmd.id) && !dr.optedOut) this.sendDr(dr);
    } else if (cmd.status === "cancelled" || cmd.status === "opted-out") {
      // Either way the EV should stop curtailing now: the utility withdrew it, or the customer chose to opt out.
      const issuer = this.drSent.get(cmd.id);
      if (issuer !== undefined) {
        this.se.cancelLoadControlEvent(issuer).catch((e: Error) => this.opts.log(`zigbee: could not cancel DR event ${cmd.id}: ${e.message}`));
      }
      this.drSent.delete(cmd.id);
    } else {
      this.drSent.delete(cmd.id);
    }
  }

  private sendDr(dr: DemandResponse): void {
    const now = this.opts.clock.now();
    if (now >= dr.endsAt) return;
    const start = Math.max(now, dr.startsAt);
    const durationMin = Math.max(1, Math.min(1440, Math.ceil((dr.endsAt - start) / 60)));
    const maxA = this.hub?.snapshot().settings.maxCurrentA ?? 32;
    const adjust = dr.action === "pause" ? -100 : dr.limitA !== null ? Math.max(-100, Math.min(0, Math.round((dr.limitA / maxA) * 100) - 100)) : undefined;
    // Issuer IDs must keep growing across restarts (devices ignore older ones): seeded from the clock. Known before
    // the send, so a ReportEventStatus that beats the send's completion is still named, and "started" is not re-sent.
    const issuerEventId = (this.lastDrIssuer = Math.max(this.lastDrIssuer + 1, now >>> 0));
    this.drSent.set(dr.id, issuerEventId);
    this.se.sendLoadControlEvent({
      issuerEventId,
      utilityEnrollmentGroup: 0,
      startTime: dr.startsAt <= now ? "now" : (dr.startsAt as UtcSeconds),
      durationMin,
      criticalityLevel: CRITICALITY[dr.action],
      ...(adjust !== undefined ? { averageLoadAdjustmentPercentage: adjust } : {}),
      eventControl: 0,
    }).then(
      (issuer) => {
        this.opts.log(`zigbee: DR event ${dr.id} sent to the EV device class as issuer event ${issuer} (${dr.action}, ${durationMin} min${adjust !== undefined ? `, ${adjust}% load` : ""})`);
      },
      (e: Error) => {
        this.opts.log(`zigbee: could not send DR event ${dr.id}: ${e.message}`);
      },
    );
  }

  private eventStatus(r: EventStatusReport): void {
    const drId = [...this.drSent].find(([, issuer]) => issuer === r.issuerEventId)?.[0];
    const applied = r.averageLoadAdjustmentPercentageApplied !== undefined ? `, load adjustment ${r.averageLoadAdjustmentPercentageApplied}% applied` : "";
    this.opts.log(`zigbee: ReportEventStatus for ${drId ? `DR event ${drId} (issuer event ${r.issuerEventId})` : `issuer event ${r.issuerEventId}`}: ${r.status} at ${toIso(r.at)}${applied}`);
  }
}
