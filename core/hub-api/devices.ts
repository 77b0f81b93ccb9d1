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
}
