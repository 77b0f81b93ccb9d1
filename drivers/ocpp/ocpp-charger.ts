// The engine's Charger port over OCPP 1.6J, for one connector of one charge point: J1772 state from StatusNotification,
// hold and allow by charging profile (0 A holds, the limit allows — never by refusing Authorize), energy from MeterValues
// as a Meter port (the EUMD when the config says so), and the idTag as the vehicle's identity. A charger that refuses
// profiles, or has no Smart Charging at all, is held and allowed by RemoteStop/RemoteStartTransaction instead, recorded.
import { DeviceError, type Charger, type ChargerFailsafePort, type ChargerLimits, type ChargerStatus, type J1772State, type Meter, type MeterReading } from "../../core/ports/index.ts";
import type { Clock, TimerHandle, UtcSeconds } from "../../core/time/index.ts";
import { watts, wh } from "../../core/units/index.ts";
import type { ChargePointSession, ConnectorStatus } from "./charge-point-session.ts";
import { OcppCallError } from "./errors.ts";

/** OCPP 1.6 ChargePointStatus → J1772 (issue 16): Available → A; Preparing, SuspendedEV(SE), Finishing → B; Charging → C. */
export const J1772_OF_STATUS: Record<ConnectorStatus, J1772State> = {
  Available: "A",
  Reserved: "A",
  Preparing: "B",
  SuspendedEV: "B",
  SuspendedEVSE: "B",
  Finishing: "B",
  Charging: "C",
  // J1772 F: EVSE not available. The arbiter holds on E and F and the engine records an EVSE fault.
  Faulted: "F",
  Unavailable: "F",
};

export interface OcppChargerOptions {
  clock: Clock;
  log: (line: string) => void;
  connectorId?: number;
  /**
   * How long a hold or allow profile stays in force without being renewed. If the hub dies, the charger returns to
   * the boot-time fail-safe (the fallback limit) at most this long after. Renewed at half its length. Default 900 s.
   */
  profileTtlS?: number;
  /** A reading older than this (and the quirk profile does not say "only on change") is no reading. Default 3 sample intervals. */
  maxReadingAgeS?: number;
  /** The idTag sent in a RemoteStartTransaction when the vehicle presented none. */
  remoteStartIdTag?: string;
  /**
   * After a (re)connection, how long a connector whose status says a transaction is in progress may go without the
   * charger naming that transaction (MeterValues, StartTransaction) before it is reported without one. Default 60 s.
   */
  transactionWaitS?: number;
}

export type ControlMode = "charging-profile" | "remote-start-stop";

export interface OcppCharger extends Charger {
  readonly name: string;
  /** The Meter port over this connector's MeterValues: usable as the EUMD when the charger has a meter. */
  readonly meter: Meter;
  readonly controlMode: ControlMode;
  readonly online: boolean;
  /** The vehicle identity the charger reported (Authorize or StartTransaction idTag, e.g. an RFID card or VID:<MAC>). */
  onVehicleId(cb: (idTag: string) => void): void;
  readonly failsafe: ChargerFailsafePort;
}

/** OCPP 1.6 statuses that only occur while a transaction is in progress on the connector. */
const IN_TRANSACTION: ReadonlySet<ConnectorStatus> = new Set(["Charging", "SuspendedEV", "SuspendedEVSE"]);

const HOLD_PROFILE_ID = 100;

export function createOcppCharger(session: ChargePointSession, o: OcppChargerOptions): OcppCharger {
  const connectorId = o.connectorId ?? 1;
  const name = `ocpp ${session.id}#${connectorId}`;
  const ttlS = o.profileTtlS ?? 900;
  let mode: ControlMode = session.quirks.smartCharging ? "charging-profile" : "remote-start-stop";
  let enabled = false;
  let commanded: boolean | null = null;
  let desiredA = session.quirks.limits.maxCurrentA;
  let renewTimer: TimerHandle | null = null;
  // What the charger was last told, so the hub's limit-then-enable pair does not send the same profile twice.
  let lastApplied: string | null = null;
  const idListeners = new Set<(idTag: string) => void>();
  // The vehicle identity presented last on this plug-in (a new card on the same plug-in replaces the transaction's).
  let latestIdTag: string | null = null;
  let lastStatus: ConnectorStatus | null = null;
  // Since when (a connection) the charger has not yet said whether a transaction is open on this connector; null once
  // it has. A hub that restarted mid-charge learns the transaction only from the charger's next transaction message.
  let txUnknownSince: UtcSeconds | null = session.openTransaction(connectorId) || session.lastSample.has(connectorId) ? null : o.clock.now();

  const record = (what: string) => session.record(`connector ${connectorId}: ${what}`);

  function fallBackToRemote(why: string): void {
    if (mode === "remote-start-stop") return;
    mode = "remote-start-stop";
    record(`charging profiles not usable (${why}); holding and allowing by RemoteStop/RemoteStartTransaction from now on`);
    // A hold profile of ours the charger took earlier would outlast the fallback and keep the vehicle at 0 A.
    session.call("ClearChargingProfile", { id: HOLD_PROFILE_ID }).catch((e: Error) => record(`ClearChargingProfile ${HOLD_PROFILE_ID} failed: ${e.message}`));
  }

  async function sendProfile(amps: number): Promise<boolean> {
    const q = session.quirks;
    const tx = session.openTransaction(connectorId);
    const useTx = q.profilePurpose === "TxProfile" && (tx !== undefined || !q.rejectsTxProfileWithoutTransaction);
    const purpose = useTx ? "TxProfile" : "TxDefaultProfile";
    const profile = session.profile(HOLD_PROFILE_ID, purpose, 1, amps, ttlS, useTx && tx ? tx.id : null);
    try {
      const r = await session.call("SetChargingProfile", { connectorId, csChargingProfiles: profile });
      if (r.status === "Accepted") return true;
      fallBackToRemote(`SetChargingProfile ${purpose} answered ${String(r.status)}`);
      return false;
    } catch (e) {
      if (e instanceof OcppCallError && (e.code === "NotImplemented" || e.code === "NotSupported")) {
        fallBackToRemote(`SetChargingProfile: ${e.code}`);
        return false;
      }
      lastApplied = null;
      throw new DeviceError(name, "timeout", `SetChargingProfile: ${(e as Error).message}`);
    }
  }

  async function remote(on: boolean): Promise<void> {
    const tx = session.openTransaction(connectorId);
    try {
      if (!on && tx) {
        const r = await session.call("RemoteStopTransaction", { transactionId: tx.id });
        record(`held by RemoteStopTransaction ${tx.id}: ${String(r.status)}`);
      } else if (on && !tx && J1772_OF_STATUS[session.connectors.get(connectorId)?.status ?? "Available"] === "B") {
        const idTag = session.lastIdTag.get(connectorId) ?? session.lastIdTag.get(null) ?? o.remoteStartIdTag ?? "OFFPEAK-HUB";
        const r = await session.call("RemoteStartTransaction", { connectorId, idTag });
        record(`allowed by RemoteStartTransaction: ${String(r.status)}`);
      }
    } catch (e) {
      lastApplied = null;
      throw new DeviceError(name, "timeout", `${on ? "RemoteStartTransaction" : "RemoteStopTransaction"}: ${(e as Error).message}`);
    }
  }

  async function apply(force = false): Promise<void> {
    if (commanded === null) return;
    const on = commanded;
    if (!session.connected) throw new DeviceError(name, "disconnected", "the charge point is not connected");
    const key = `${mode}:${on}:${desiredA}:${session.openTransaction(connectorId)?.id ?? "-"}`;
    if (!force && key === lastApplied) return;
    lastApplied = key;
    if (mode === "charging-profile" && (await sendProfile(on ? desiredA : 0))) {
      enabled = on;
      scheduleRenewal();
      return;
    }
    await remote(on);
    enabled = on;
  }

  function scheduleRenewal(): void {
    if (renewTimer) o.clock.clearTimeout(renewTimer);
    renewTimer = o.clock.setTimeout(() => {
      renewTimer = null;
      if (session.connected && mode === "charging-profile") apply(true).catch((e: Error) => o.log(`${name}: renewing the charging profile failed: ${e.message}`));
    }, (ttlS * 1000) / 2);
  }

  const off = session.listen({
    connected: () => {
      if (!session.openTransaction(connectorId)) txUnknownSince = o.clock.now();
    },
    meter: (c) => {
      if (c === connectorId) txUnknownSince = null;
    },
    transactionEnded: (tx) => {
      if (tx.connectorId === connectorId) txUnknownSince = null;
    },
    // After every boot (the charger may have lost its profiles) and when a transaction starts (a TxProfile needs its
    // id), the hub's last decision is sent again.
    booted: () => {
      if (!session.quirks.smartCharging) mode = "remote-start-stop";
      apply(true).catch((e: Error) => o.log(`${name}: re-applying after boot: ${e.message}`));
      // The meter's register now rather than at the next sample: the EUMD is then present before a plug-in.
      if (!session.lastSample.has(connectorId)) session.call("TriggerMessage", { requestedMessage: "MeterValues", connectorId }).catch((e: Error) => record(`TriggerMessage MeterValues failed: ${e.message}`));
    },
    transactionStarted: (tx) => {
      if (tx.connectorId !== connectorId) return;
      txUnknownSince = null;
      // The hub's decision is per transaction, so it is sent again for each new one — the hub itself writes only when
      // its decision changes (edge/hub/evse-actuator.ts), and a plug-in while held changes nothing there. A TxProfile
      // needs the new id; held by Remote Stop, a transaction the charger started on its own (a card, Autocharge) is
      // stopped again; and a TxDefaultProfile sent for the new vehicle finds out whether the charger still takes
      // profiles before the vehicle charges. After the StartTransaction answer has gone out: the charger must know
      // the transaction id before a profile names it.
      setImmediate(() => apply().catch((e: Error) => o.log(`${name}: ${e.message}`)));
    },
    idTag: (c, idTag) => {
      if (c !== null && c !== connectorId) return;
      latestIdTag = idTag;
      for (const l of idListeners) l(idTag);
    },
    status: (c, status) => {
      if (c !== connectorId) return;
      if (!IN_TRANSACTION.has(status)) txUnknownSince = null;
      // The vehicle left: its identity must not be reported for the next one.
      if (status === "Available" && lastStatus !== "Available") latestIdTag = null;
      lastStatus = status;
    },
  });

  /**
   * The transaction as the Charger port's session counter (issue 12): held and allowed by charging profile, the hub
   * never ends a transaction, so one transaction is one plug-in and a restart that finds the same one open finds the
   * same vehicle. Not by Remote Start/Stop: there every hold and allow ends or starts a transaction.
   */
  function transactionSession(txId: number, meterStartWh: number | null): Pick<ChargerStatus, "sessionId" | "sessionEnergyWh"> {
    const s = session.lastSample.get(connectorId);
    // The charger's own energy for this transaction, when its start register is known (not for an adopted one).
    const energy = meterStartWh !== null && s?.transactionId === txId ? Math.max(0, s.energyWh - meterStartWh) : null;
    return { sessionId: `ocpp-tx-${txId}`, ...(energy !== null ? { sessionEnergyWh: energy } : {}) };
  }

  const meter: Meter = {
    async read(): Promise<MeterReading> {
      const s = session.lastSample.get(connectorId);
      if (!s) throw new DeviceError(name, "timeout", "no MeterValues with Energy.Active.Import.Register received yet");
      const now = o.clock.now();
      const maxAge = o.maxReadingAgeS ?? 3 * 60;
      if (session.quirks.meterValuesOnlyOnChange) {
        // Silence means "unchanged" for this charger, as long as it is connected.
        if (!session.connected) throw new DeviceError(name, "disconnected", "the charge point is not connected");
        return { energyWh: wh(s.energyWh), powerW: watts(s.receivedAt < now - maxAge ? 0 : (s.powerW ?? 0)), at: now };
      }
      if (now - s.receivedAt > maxAge) throw new DeviceError(name, "timeout", `last MeterValues ${now - s.receivedAt} s ago`);
      return { energyWh: wh(s.energyWh), powerW: watts(s.powerW ?? 0), at: s.at };
    },
    async close() {},
  };

  const failsafe: ChargerFailsafePort = {
    describe: `set by the hub at every BootNotification: a TxDefaultProfile at the fallback limit under the hub's profiles, which last ${ttlS} s and are renewed every ${ttlS / 2} s, so without the hub the charger keeps the hub's last decision for at most ${ttlS} s and then charges at the fallback limit`,
    // The adapter renews its own profiles (scheduleRenewal); the actuator need not rewrite anything.
    keepAliveMs: null,
    // Nothing to write now: the charge point session sets the fail-safe on every boot, connected or not yet.
    async arm() {},
  };

  return {
    name,
    meter,
    failsafe,
    get controlMode() { return mode; },
    get online() { return session.connected; },
    get limits(): ChargerLimits { return session.quirks.limits; },
    onVehicleId(cb) { idListeners.add(cb); },

    async readStatus(): Promise<ChargerStatus> {
      if (!session.connected) throw new DeviceError(name, "disconnected", "the charge point is not connected");
      const c = session.connectors.get(connectorId);
      if (!c) throw new DeviceError(name, "timeout", "no StatusNotification for this connector yet");
      const state = J1772_OF_STATUS[c.status];
      const status: ChargerStatus = { state, enabled, currentLimitA: enabled ? desiredA : 0 };
      const s = session.lastSample.get(connectorId);
      if (s?.powerW !== undefined) status.powerW = watts(s.powerW);
      if (state !== "A") {
        const tx = session.openTransaction(connectorId);
        const id = latestIdTag || tx?.idTag || session.lastIdTag.get(connectorId) || session.lastIdTag.get(null);
        if (id) status.vehicleId = id;
        if (mode === "charging-profile") {
          if (tx) Object.assign(status, transactionSession(tx.id, tx.adopted ? null : tx.meterStartWh));
          else if (IN_TRANSACTION.has(c.status) && txUnknownSince !== null && o.clock.now() - txUnknownSince < (o.transactionWaitS ?? 60)) {
            // Without its transaction the hub cannot tell this vehicle from another and would open a second session.
            throw new DeviceError(name, "timeout", `status ${c.status} says a transaction is in progress, but the charger has not named it since it connected; waiting for its MeterValues`);
          }
        }
      }
      return status;
    },

    async setEnabled(on: boolean): Promise<void> {
      commanded = on;
      await apply();
    },

    async setCurrentLimit(amps: number): Promise<void> {
      const { minCurrentA, maxCurrentA } = session.quirks.limits;
      if (!Number.isFinite(amps) || amps < minCurrentA || amps > maxCurrentA) {
        throw new DeviceError(name, "config", `current limit ${amps} A is outside ${minCurrentA}-${maxCurrentA} A (quirk profile ${session.quirks.id})`);
      }
      desiredA = amps;
      if (commanded === true) await apply();
    },

    async close(): Promise<void> {
      off();
      if (renewTimer) o.clock.clearTimeout(renewTimer);
    },
  };
}
