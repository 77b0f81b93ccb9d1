// The dashboard's Devices page: GET /api/v1/dashboard/devices, and the Zigbee network with its permit-join.
import type { DeviceHealth, EvseOutputView } from "./status.ts";

/** A Zigbee device as the dashboard lists it; times are UTC seconds. */
export interface ZigbeeDeviceView { ieeeAddr: string; networkAddress: number; type: string; modelId: string | null; manufacturer: string | null; interview: string; lastSeen: number | null }

export interface ZigbeeNetworkView {
  adapter: string;
  channel: number;
  /** Seconds of real time until permit-join closes; 0 = closed (herdsman times it in real time, not the hub's clock). */
  permitJoinSecondsLeft: number;
  devices: ZigbeeDeviceView[];
}

export interface DevicesView {
  timeZone: string;
  charger: DeviceHealth & { state: string; output: EvseOutputView | null };
  eumd: DeviceHealth & { state: string };
  premises: DeviceHealth;
  utility: DeviceHealth;
  /** Null when the hub has no [zigbee] coordinator. */
  zigbee: ZigbeeNetworkView | null;
  /** The OCPP central system, when the charger is an OCPP one. */
  ocpp: OcppView | null;
  /** RFID cards and Autocharge IDs the owner registered for a VIN (the charger's vehicle identity). */
  vehicleTags: VehicleTagView[];
}

export interface VehicleTagView { tag: string; vin: string; registeredAt: number }

export interface OcppChargePointView { id: string; connected: boolean; vendor: string | null; model: string | null; quirks: string | null; controlMode: string | null; lastHeardAt: number | null }

/** The OCPP central system as the dashboard sees it: the hub's charge point, charge points waiting for the owner. */
export interface OcppView {
  /** Where chargers connect: ws(s)://<hub>:<port><path> followed by the charge point ID. */
  url: string;
  tls: boolean;
  /** The hub certificate's SHA-256 fingerprint (security profile 2), to compare in the charger's app. */
  fingerprintSha256: string | null;
  /** The [devices.charger] charge point (the single-charger hub's). */
  chargePoint: OcppChargePointView | null;
  /** Every charge point the hub drives over OCPP, each with the hub's name for it (null: [devices.charger]). */
  chargePoints?: (OcppChargePointView & { hubChargePoint: string | null })[];
  pending: { id: string; firstSeenAt: number; lastSeenAt: number; remote: string; offeredPassword: boolean; vendor?: string; model?: string }[];
}
