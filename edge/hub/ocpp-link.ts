// The hub's OCPP side (issue 16): the central system chargers connect to, and the one charge point the hub drives as
// its Charger port (and, when configured, its EUMD). The charge point is the one the config names, or — with no
// charge_point_id — the first one the owner accepts on the dashboard, remembered in the data directory. Loaded only
// when [devices.charger] driver = "ocpp" (edge/hub/devices.ts imports this file dynamically).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceError, type Charger, type ChargerLimits, type ChargerStatus, type Meter, type MeterReading } from "../../core/ports/index.ts";
import type { Clock } from "../../core/time/index.ts";
import {
  CentralSystem, createOcppCharger, ensureHubCertificate, GENERIC_QUIRKS, OcppConfigError,
  type KnownChargePoint, type OcppCharger, type SecurityProfile,
} from "../../drivers/ocpp/index.ts";
import type { OcppConfig, OcppChargerConfig } from "../config/schema.ts";
import type { OcppChargePointsView, OcppNetwork } from "./ports.ts";

export const ACCEPTED_FILE = "ocpp-charge-point.json";

export class OcppLinkError extends Error {}
/** The [ocpp] port is taken (named apart so the demo can point at its own option). */
export class OcppPortTakenError extends OcppLinkError {}

export interface OcppLinkOptions {
  charger: OcppChargerConfig;
  ocpp: OcppConfig;
  dataDir: string;
  clock: Clock;
  log: (line: string) => void;
  /** The fallback limit the charger keeps when the hub goes away (its boot-time TxDefaultProfile), amperes. */
  fallbackLimitA: number;
}

/** The password from the config: inline, or the first line of password_file. */
function passwordOf(c: OcppChargerConfig): string | undefined {
  if (c.password) return c.password;
  if (!c.password_file) return undefined;
  let text: string;
  try {
    text = readFileSync(c.password_file, "utf8");
  } catch (e) {
    throw new OcppLinkError(`devices.charger.password_file: cannot read ${c.password_file}: ${(e as Error).message}`);
  }
  const pw = text.split(/\r?\n/)[0]!;
  if (pw.length < 16 || pw.length > 40) throw new OcppLinkError(`devices.charger.password_file: the password in ${c.password_file} must be 16-40 characters (OCPP AuthorizationKey), got ${pw.length}`);
  return pw;
}

/** The charge point the owner accepted earlier (no charge_point_id in the config). */
function loadAccepted(dataDir: string): KnownChargePoint | null {
  const file = join(dataDir, ACCEPTED_FILE);
  if (!existsSync(file)) return null;
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as { id?: unknown; securityProfile?: unknown; password?: unknown };
    if (typeof v.id !== "string" || ![0, 1, 2].includes(v.securityProfile as number) || (v.password !== undefined && typeof v.password !== "string")) throw new Error("expected {id, securityProfile, password?}");
    return { id: v.id, securityProfile: v.securityProfile as SecurityProfile, ...(typeof v.password === "string" ? { password: v.password } : {}) };
  } catch (e) {
    throw new OcppLinkError(`${file}: not a charge point the owner accepted (${(e as Error).message}); delete it and accept the charger again on the dashboard`);
  }
}

export class OcppLink implements OcppNetwork {
  readonly central: CentralSystem;
  readonly fingerprintSha256: string | null;
  private chargePointId: string | null;
  private adapter: OcppCharger | null = null;
  private readonly idListeners = new Set<(idTag: string) => void>();
  readonly charger: Charger;
  readonly meter: Meter;

  private constructor(private readonly o: OcppLinkOptions) {
    const c = o.charger;
    const tls = o.ocpp.tls ?? c.security_profile === 2;
    let cert: ReturnType<typeof ensureHubCertificate> | null = null;
    if (tls) {
      const names = o.ocpp.tls_names;
      const ips = names.filter((n) => /^[\d.]+$|:/.test(n));
      cert = ensureHubCertificate(o.dataDir, { dns: ["localhost", ...names.filter((n) => !ips.includes(n))], ips: ["127.0.0.1", ...ips] });
    }
    this.fingerprintSha256 = cert?.fingerprintSha256 ?? null;
    const known: KnownChargePoint[] = [];
    if (c.charge_point_id !== undefined) {
      const password = passwordOf(c);
      known.push({ id: c.charge_point_id, securityProfile: c.security_profile, ...(password ? { password } : {}) });
    } else {
      const accepted = loadAccepted(o.dataDir);
      if (accepted) known.push(accepted);
    }
    this.chargePointId = known[0]?.id ?? null;
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
    if (this.chargePointId) this.drive(this.chargePointId);
    this.charger = this.delegatingCharger();
    this.meter = {
      read: (): Promise<MeterReading> => this.current("meter").meter.read(),
      close: async () => {},
    };
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
    if (!link.chargePointId) o.log("ocpp: no charge point configured yet; the first one that connects is listed on the dashboard's Devices page for the owner to accept");
    return link;
  }

  get url(): string { return this.central.url; }

  /** The vehicle identity the charger reports (an RFID card, or Autocharge VID:<MAC>), for the ID-only path. */
  onVehicleId(cb: (idTag: string) => void): () => void {
    this.idListeners.add(cb);
    return () => this.idListeners.delete(cb);
  }

  private drive(id: string): void {
    const connectorId = this.o.charger.connector_id;
    this.adapter = createOcppCharger(this.central.session(id), { clock: this.o.clock, log: this.o.log, connectorId });
    this.adapter.onVehicleId((tag) => { for (const l of this.idListeners) l(tag); });
  }

  private current(what: string): OcppCharger {
    if (this.adapter) return this.adapter;
    throw new DeviceError(`ocpp ${what}`, "disconnected", "no charge point accepted yet: accept the charger on the dashboard's Devices page");
  }

  /** The Charger port, usable before the owner accepted a charge point (it then reports itself disconnected). */
  private delegatingCharger(): Charger {
    const self = this;
    return {
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
  }

  view(): OcppChargePointsView {
    const id = this.chargePointId;
    const s = id ? this.central.sessions.get(id) : undefined;
    return {
      url: this.central.url,
      tls: this.fingerprintSha256 !== null,
      fingerprintSha256: this.fingerprintSha256,
      chargePoint: id ? {
        id, connected: s?.connected ?? false, vendor: s?.vendor || null, model: s?.model || null, quirks: s?.quirks.id ?? null,
        controlMode: this.adapter?.controlMode ?? null, lastHeardAt: s?.lastHeardAt ?? null,
      } : null,
      pending: this.central.listPending(),
    };
  }

  /**
   * The owner accepts a pending charge point. Only when the config names none: this hub drives one charge point.
   * It is remembered (data directory, owner-only file) so a restart keeps it.
   */
  accept(id: string, allowNoPassword: boolean): OcppChargePointsView {
    if (this.chargePointId !== null) {
      throw new OcppLinkError(`this hub drives charge point ${JSON.stringify(this.chargePointId)}${this.o.charger.charge_point_id ? " (devices.charger.charge_point_id)" : ""}; one charge point per hub for now`);
    }
    let cp: KnownChargePoint;
    try {
      cp = this.central.accept(id, { allowNoPassword });
    } catch (e) {
      if (e instanceof OcppConfigError) throw new OcppLinkError(e.message);
      throw e;
    }
    const file = join(this.o.dataDir, ACCEPTED_FILE);
    writeFileSync(file, JSON.stringify(cp), { mode: 0o600 });
    chmodSync(file, 0o600);
    this.chargePointId = cp.id;
    this.drive(cp.id);
    this.o.log(`ocpp: the owner accepted charge point ${cp.id} (security profile ${cp.securityProfile})`);
    return this.view();
  }

  async stop(): Promise<void> {
    await this.adapter?.close();
    await this.central.stop();
  }
}
