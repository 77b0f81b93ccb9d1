// The hub's OCPP side (issue 16): the central system chargers connect to, and every charge point the hub drives, each
// as the Charger port (and, when configured, the EUMD) of its own session engine. [devices.charger] is the charge point
// the config names or — with no charge_point_id — the first one the owner accepts on the dashboard; [[charge_points]]
// name more; a charge point the owner accepts once the first is taken becomes one more engine (item 7). Accepted ones
// are remembered in the data directory. Loaded only when an OCPP charger is configured (devices.ts imports it lazily).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceError, type Charger, type ChargerLimits, type ChargerStatus, type Meter, type MeterReading } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import {
  CentralSystem, createOcppCharger, ensureHubCertificate, GENERIC_QUIRKS, OcppConfigError,
  type KnownChargePoint, type OcppCharger, type SecurityProfile,
} from "../../drivers/ocpp/index.ts";
import type { OcppConfig, OcppChargerConfig } from "../config/schema.ts";
import type { OcppView } from "../../core/index.ts";
import type { OcppNetwork } from "./ports.ts";

export const ACCEPTED_FILE = "ocpp-charge-point.json";
/** Charge points the owner accepted after the first: each runs its own engine (a list, same fields as ACCEPTED_FILE). */
export const MORE_ACCEPTED_FILE = "ocpp-charge-points.json";

export class OcppLinkError extends Error {}
/** The [ocpp] port is taken (named apart so the demo can point at its own option). */
export class OcppPortTakenError extends OcppLinkError {}

/** One OCPP charger of the config: `key` is the hub's charge point (null: [devices.charger]; else its [[charge_points]] id). */
export interface OcppChargerSlot { key: string | null; config: OcppChargerConfig }

export interface OcppLinkOptions {
  chargers: OcppChargerSlot[];
  ocpp: OcppConfig;
  dataDir: string;
  clock: Clock;
  log: (line: string) => void;
  /** The fallback limit the charger keeps when the hub goes away (its boot-time TxDefaultProfile), amperes. */
  fallbackLimitA: number;
}

/** The password from the config: inline, or the first line of password_file. */
function passwordOf(c: OcppChargerConfig, where: string): string | undefined {
  if (c.password) return c.password;
  if (!c.password_file) return undefined;
  let text: string;
  try {
    text = readFileSync(c.password_file, "utf8");
  } catch (e) {
    throw new OcppLinkError(`${where}.password_file: cannot read ${c.password_file}: ${(e as Error).message}`);
  }
  const pw = text.split(/\r?\n/)[0]!;
  if (pw.length < 16 || pw.length > 40) throw new OcppLinkError(`${where}.password_file: the password in ${c.password_file} must be 16-40 characters (OCPP AuthorizationKey), got ${pw.length}`);
  return pw;
}

function acceptedOf(v: { id?: unknown; securityProfile?: unknown; password?: unknown }): KnownChargePoint {
  if (typeof v.id !== "string" || ![0, 1, 2].includes(v.securityProfile as number) || (v.password !== undefined && typeof v.password !== "string")) throw new Error("expected {id, securityProfile, password?}");
  return { id: v.id, securityProfile: v.securityProfile as SecurityProfile, ...(typeof v.password === "string" ? { password: v.password } : {}) };
}

/** The charge point the owner accepted earlier (no charge_point_id in the config). */
function loadAccepted(dataDir: string): KnownChargePoint | null {
  const file = join(dataDir, ACCEPTED_FILE);
  if (!existsSync(file)) return null;
  try {
    return acceptedOf(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>);
  } catch (e) {
    throw new OcppLinkError(`${file}: not a charge point the owner accepted (${(e as Error).message}); delete it and accept the charger again on the dashboard`);
  }
}

/** The charge points the owner accepted after the first. */
function loadMoreAccepted(dataDir: string): KnownChargePoint[] {
  const file = join(dataDir, MORE_ACCEPTED_FILE);
  if (!existsSync(file)) return [];
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(v)) throw new Error("expected a list");
    return v.map((x, n) => { try { return acceptedOf(x as Record<string, unknown>); } catch (e) { throw new Error(`entry ${n}: ${(e as Error).message}`); } });
  } catch (e) {
    throw new OcppLinkError(`${file}: not the charge points the owner accepted (${(e as Error).message}); delete it and accept the chargers again on the dashboard`);
  }
}

/**
 * The hub's name for a charge point the owner accepted on the dashboard: its OCPP id where that is a valid
 * [[charge_points]] id, else the id with every other character replaced (OCPP ids allow any printable ASCII).
 */
export function hubKeyForAccepted(ocppId: string): string {
  return ocppId.replace(/[^A-Za-z0-9._:-]/g, "_").replace(/^[^A-Za-z0-9]/, "cp");
}

/** One charge point the hub drives: its charger adapter once known, as a Charger and a Meter port that exist before. */
class DrivenChargePoint {
  adapter: OcppCharger | null = null;
  readonly charger: Charger;
  readonly meter: Meter;

  constructor(readonly key: string | null, public ocppId: string | null, readonly connectorId: number, readonly configured: boolean) {
    const self = this;
    this.charger = {
      get limits(): ChargerLimits { return self.adapter?.limits ?? GENERIC_QUIRKS.limits; },
      readStatus: (): Promise<ChargerStatus> => this.current("charger").readStatus(),
      setEnabled: (on: boolean) => this.current("charger").setEnabled(on),
      setCurrentLimit: (a: number) => this.current("charger").setCurrentLimit(a),
      close: async () => { await this.adapter?.close(); },
      // The charger's own fail-safe is set over OCPP at its every boot (drivers/ocpp/charge-point-session.ts), so the
      // hub declares it even before the charge point has connected or been accepted.
      failsafe: {
        get describe() { return self.adapter?.failsafe.describe ?? "set by the hub at every BootNotification of the accepted charge point: the fallback limit, under the hub's time-limited profiles"; },
        keepAliveMs: null,
        arm: async () => { await self.adapter?.failsafe.arm(); },
      },
    };
    this.meter = { read: (): Promise<MeterReading> => this.current("meter").meter.read(), close: async () => {} };
  }

  private current(what: string): OcppCharger {
    if (this.adapter) return this.adapter;
    throw new DeviceError(`ocpp ${what}`, "disconnected", "no charge point accepted yet: accept the charger on the dashboard's Devices page");
  }
}

export class OcppLink implements OcppNetwork {
  readonly central: CentralSystem;
  readonly fingerprintSha256: string | null;
  /** Every charge point the hub drives, by its hub key (null: [devices.charger]). */
  private readonly driven = new Map<string | null, DrivenChargePoint>();
  private readonly idListeners = new Set<(idTag: string, key: string | null) => void>();
  private readonly acceptListeners = new Set<(key: string, ocppId: string) => void>();
  private readonly more: KnownChargePoint[];

  private constructor(private readonly o: OcppLinkOptions) {
    const tls = o.ocpp.tls ?? o.chargers.some((c) => c.config.security_profile === 2);
    let cert: ReturnType<typeof ensureHubCertificate> | null = null;
    if (tls) {
      const names = o.ocpp.tls_names;
      const ips = names.filter((n) => /^[\d.]+$|:/.test(n));
      cert = ensureHubCertificate(o.dataDir, { dns: ["localhost", ...names.filter((n) => !ips.includes(n))], ips: ["127.0.0.1", ...ips] });
    }
    this.fingerprintSha256 = cert?.fingerprintSha256 ?? null;
    const known: KnownChargePoint[] = [];
    for (const { key, config: c } of o.chargers) {
      let id: string | null = null;
      if (c.charge_point_id !== undefined) {
        const password = passwordOf(c, key === null ? "devices.charger" : `charge_points.${key}.charger`);
        known.push({ id: c.charge_point_id, securityProfile: c.security_profile, ...(password ? { password } : {}) });
        id = c.charge_point_id;
      } else if (key === null) {
        const accepted = loadAccepted(o.dataDir);
        if (accepted) known.push(accepted);
        id = accepted?.id ?? null;
      }
      this.driven.set(key, new DrivenChargePoint(key, id, c.connector_id, true));
    }
    // Charge points the owner accepted after the first: one engine each, unless the config names them by now.
    this.more = loadMoreAccepted(o.dataDir).filter((cp) => !known.some((k) => k.id === cp.id));
    for (const cp of this.more) {
      known.push(cp);
      this.driven.set(hubKeyForAccepted(cp.id), new DrivenChargePoint(hubKeyForAccepted(cp.id), cp.id, 1, false));
    }
    try {
      this.central = new CentralSystem({
        clock: o.clock, log: o.log, hostname: o.ocpp.host, port: o.ocpp.port, pathPrefix: o.ocpp.path,
        ...(cert ? { tls: { certPem: cert.certPem, keyPem: cert.keyPem } } : {}),
        chargePoints: known,
        unknown: o.ocpp.unknown === "rejected" ? "Rejected" : "Pending",
        failSafe: {
          fallbackLimitA: o.fallbackLimitA, heartbeatIntervalS: o.ocpp.heartbeat_interval_s,
          meterValueSampleIntervalS: o.ocpp.meter_value_sample_interval_s, localAuthorizeOffline: o.ocpp.local_authorize_offline,
        },
      });
    } catch (e) {
      if (e instanceof OcppConfigError) throw new OcppLinkError(`devices.charger: ${e.message}`);
      throw e;
    }
    for (const d of this.driven.values()) if (d.ocppId) this.drive(d);
  }

  static start(o: OcppLinkOptions): OcppLink {
    const link = new OcppLink(o);
    try {
      link.central.start();
    } catch (e) {
      const m = (e as Error).message;
      if (/EADDRINUSE|in use|address already/i.test(m)) throw new OcppPortTakenError(`ocpp: port ${o.ocpp.port} on ${o.ocpp.host} is taken by another program; set [ocpp] port (OFFPEAK_OCPP_PORT)`);
      throw new OcppLinkError(`ocpp: cannot listen on ${o.ocpp.host}:${o.ocpp.port}: ${m}; set [ocpp] host and port`);
    }
    if (link.fingerprintSha256) o.log(`ocpp: TLS certificate SHA-256 fingerprint ${link.fingerprintSha256} (compare it in the charger's app)`);
    if (link.driven.get(null)?.ocppId === null) o.log("ocpp: no charge point configured yet; the first one that connects is listed on the dashboard's Devices page for the owner to accept");
    return link;
  }

  get url(): string { return this.central.url; }

  /** The Charger port of the hub's charge point `key` (null: [devices.charger]), usable before its charger connects. */
  chargerFor(key: string | null): Charger { return this.slot(key).charger; }
  /** Its EUMD, when the charger's own meter is the EUMD. */
  meterFor(key: string | null): Meter { return this.slot(key).meter; }
  /** The [devices.charger] charge point's ports (the single-charger hub). */
  get charger(): Charger { return this.chargerFor(null); }
  get meter(): Meter { return this.meterFor(null); }

  /** Charge points the owner accepted after the first, each needing an engine of its own: [hub key, OCPP id]. */
  acceptedMore(): [string, string][] { return this.more.map((cp) => [hubKeyForAccepted(cp.id), cp.id]); }

  private slot(key: string | null): DrivenChargePoint {
    const d = this.driven.get(key);
    if (!d) throw new OcppLinkError(`no OCPP charger is configured for charge point ${key ?? "devices.charger"}`);
    return d;
  }

  /** The vehicle identity a charger reports (an RFID card, or Autocharge VID:<MAC>), for the ID-only path of its engine. */
  onVehicleId(cb: (idTag: string, key: string | null) => void): () => void {
    this.idListeners.add(cb);
    return () => this.idListeners.delete(cb);
  }

  /** A charge point the owner accepted once [devices.charger] was taken: the hub starts an engine for it. */
  onAccepted(cb: (key: string, ocppId: string) => void): () => void {
    this.acceptListeners.add(cb);
    return () => this.acceptListeners.delete(cb);
  }

  private drive(d: DrivenChargePoint): void {
    d.adapter = createOcppCharger(this.central.session(d.ocppId!), { clock: this.o.clock, log: this.o.log, connectorId: d.connectorId });
    d.adapter.onVehicleId((tag) => { for (const l of this.idListeners) l(tag, d.key); });
  }

  private pointView(d: DrivenChargePoint): NonNullable<OcppView["chargePoint"]> {
    const s = this.central.sessions.get(d.ocppId!);
    return {
      id: d.ocppId!, connected: s?.connected ?? false, vendor: s?.vendor || null, model: s?.model || null, quirks: s?.quirks.id ?? null,
      controlMode: d.adapter?.controlMode ?? null, lastHeardAt: s?.lastHeardAt ?? null,
    };
  }

  view(): OcppView {
    const first = this.driven.get(null);
    return {
      url: this.central.url,
      tls: this.fingerprintSha256 !== null,
      fingerprintSha256: this.fingerprintSha256,
      chargePoint: first?.ocppId ? this.pointView(first) : null,
      chargePoints: [...this.driven.values()].filter((d) => d.ocppId !== null).map((d) => ({ ...this.pointView(d), hubChargePoint: d.key })),
      pending: this.central.listPending(),
    };
  }

  /**
   * The owner accepts a pending charge point. The first becomes [devices.charger]'s when the config names none; any
   * later one becomes a charge point of its own with its own engine (issue 16 item 7). Remembered in the data
   * directory (owner-only files) so a restart keeps them.
   */
  accept(id: string, allowNoPassword: boolean): OcppView {
    let cp: KnownChargePoint;
    try {
      cp = this.central.accept(id, { allowNoPassword });
    } catch (e) {
      if (e instanceof OcppConfigError) throw new OcppLinkError(e.message);
      throw e;
    }
    const first = this.driven.get(null);
    if (first && first.ocppId === null) {
      writeOwnerOnly(join(this.o.dataDir, ACCEPTED_FILE), JSON.stringify(cp));
      first.ocppId = cp.id;
      this.drive(first);
      this.o.log(`ocpp: the owner accepted charge point ${cp.id} (security profile ${cp.securityProfile})`);
      return this.view();
    }
    const key = hubKeyForAccepted(cp.id);
    if (this.driven.has(key)) throw new OcppLinkError(`the hub already has a charge point named ${JSON.stringify(key)}; name this charger in [[charge_points]] instead`);
    this.more.push(cp);
    writeOwnerOnly(join(this.o.dataDir, MORE_ACCEPTED_FILE), JSON.stringify(this.more));
    const d = new DrivenChargePoint(key, cp.id, 1, false);
    this.driven.set(key, d);
    this.drive(d);
    this.o.log(`ocpp: the owner accepted charge point ${cp.id} (security profile ${cp.securityProfile}); it runs as charge point ${key}`);
    for (const l of this.acceptListeners) l(key, cp.id);
    return this.view();
  }

  async stop(): Promise<void> {
    for (const d of this.driven.values()) await d.adapter?.close();
    await this.central.stop();
  }
}

function writeOwnerOnly(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
