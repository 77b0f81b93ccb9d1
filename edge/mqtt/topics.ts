// Where the hub's MQTT view lives on the broker: everything under one base topic (default offpeak/<hub id>), Home
// Assistant's one device-discovery message under its discovery prefix. Names are the contract with automations:
// docs/home-assistant.md lists them; change them only with a note there.
import type { MqttConfig } from "../config/schema.ts";

export const STATE_TOPICS = ["charge_point", "session", "energy", "price", "demand_response", "health", "charge_plan"] as const;
export type StateTopic = (typeof STATE_TOPICS)[number];

export const COMMAND_TOPICS = ["charge_mode", "departure", "energy_needed", "dr_opt_out"] as const;
export type CommandTopic = (typeof COMMAND_TOPICS)[number];

/** What each further charge point of a hub with several publishes, under <base>/charge_points/<id>/ (issue 16 item 7). */
export const CHARGE_POINT_STATE_TOPICS = ["charge_point", "session"] as const;
export type ChargePointStateTopic = (typeof CHARGE_POINT_STATE_TOPICS)[number];

export interface Topics {
  base: string;
  availability: string;
  state(t: StateTopic): string;
  /** A further charge point's state ([[charge_points]] id); [devices.charger]'s stays on state(). */
  chargePointState(id: string, t: ChargePointStateTopic): string;
  command(t: CommandTopic): string;
  /** Refused or malformed commands, one JSON message each (not retained: they are events, not state). */
  error: string;
  /** Home Assistant's device discovery config for this hub. */
  discovery: string;
  /** Home Assistant announces `online` here when it (re)starts: the hub then re-publishes discovery. */
  haStatus: string;
  /** Device ID in Home Assistant's registry (also the prefix of every entity's unique_id). */
  deviceId: string;
}

/** Topic-safe form of the hub ID for the device ID (HA allows [a-zA-Z0-9_-] in discovery node IDs). */
export const safeId = (s: string) => s.replace(/[^a-zA-Z0-9_-]/g, "_");

export function topicsFor(cfg: Pick<MqttConfig, "base_topic" | "discovery_prefix">, hubId: string): Topics {
  const base = cfg.base_topic ?? `offpeak/${hubId}`;
  const deviceId = `offpeak_${safeId(hubId)}`;
  return {
    base,
    deviceId,
    availability: `${base}/availability`,
    state: (t) => `${base}/${t}`,
    chargePointState: (id, t) => `${base}/charge_points/${safeId(id)}/${t}`,
    command: (t) => `${base}/set/${t}`,
    error: `${base}/error`,
    discovery: `${cfg.discovery_prefix}/device/${deviceId}/config`,
    haStatus: `${cfg.discovery_prefix}/status`,
  };
}
