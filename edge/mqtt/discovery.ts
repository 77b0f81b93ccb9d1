// Home Assistant MQTT discovery, device-based (HA 2024.11+): one retained message on
// <prefix>/device/<device id>/config carrying the device block (`dev`), the origin (`o`), shared availability and the
// components (`cmps`, each with its platform `p` and a unique_id). The keys are HA's documented ones; edge/mqtt's tests
// check each component against the keys HA requires for its platform.
// A component HA should drop is sent as its platform alone ({ "p": "button" }), HA's documented way to remove one
// component from a device; an empty retained message removes the whole device.
import { BINDING_STATES, MODE_OPTIONS } from "./state-views.ts";
import { safeId, type Topics } from "./topics.ts";

export type Component = { p: string } & Record<string, unknown>;
export interface DevicePayload {
  dev: { ids: string[]; name: string; mf: string; mdl: string; sw: string; cu?: string };
  o: { name: string; sw: string };
  availability_topic: string;
  payload_available: string;
  payload_not_available: string;
  qos: 0 | 1;
  cmps: Record<string, Component>;
}

export interface DiscoveryInputs {
  topics: Topics;
  softwareVersion: string;
  /** Offer the charge mode, departure, energy needed and DR opt-out controls ([mqtt] commands = true). */
  commands: boolean;
  /** The DR event the owner may opt out of now (its program allows it), or null: the button exists only then. */
  drOptOutId: string | null;
  /** The dashboard's address, for the device page's "visit" link (omitted when it is loopback only). */
  dashboardUrl?: string | null;
  /** The hub's further charge points ([[charge_points]] ids): each gets its own components on the device. */
  chargePoints?: readonly string[];
}

/** Entity keys in `cmps` (also the suffix of each unique_id). */
export const CONTROL_COMPONENTS = ["charge_mode", "departure", "energy_needed"] as const;

export function discoveryPayload(i: DiscoveryInputs): DevicePayload {
  const t = i.topics;
  const uid = (k: string) => `${t.deviceId}_${k}`;
  const sensor = (key: string, name: string, topic: string, field: string, extra: Record<string, unknown> = {}): Component => ({
    p: "sensor", name, unique_id: uid(key), state_topic: topic, value_template: `{{ value_json.${field} }}`, ...extra,
  });
  const session = t.state("session");
  const cmps: Record<string, Component> = {
    power: sensor("power", "Power", session, "powerW", { device_class: "power", state_class: "measurement", unit_of_measurement: "W" }),
    lifetime_energy: sensor("lifetime_energy", "Lifetime charging energy", t.state("energy"), "lifetimeWh", { device_class: "energy", state_class: "total_increasing", unit_of_measurement: "Wh", suggested_display_precision: 0 }),
    session_energy: sensor("session_energy", "Session energy", session, "energyWh", { device_class: "energy", state_class: "total_increasing", unit_of_measurement: "Wh" }),
    session_cost: sensor("session_cost", "Session cost (estimate)", session, "costUsd", { device_class: "monetary", unit_of_measurement: "USD", suggested_display_precision: 2 }),
    binding_state: sensor("binding_state", "Binding state", session, "bindingState", { device_class: "enum", options: [...BINDING_STATES], json_attributes_topic: session }),
    comm_wait: sensor("comm_wait", "Comm-wait countdown", session, "commWaitLeftS", { device_class: "duration", state_class: "measurement", unit_of_measurement: "s" }),
    price_now: sensor("price_now", "Price now", t.state("price"), "priceUsdPerKWh", { device_class: "monetary", unit_of_measurement: "USD/kWh", suggested_display_precision: 4, json_attributes_topic: t.state("price") }),
    controlled_by: sensor("controlled_by", "Charge point controlled by", t.state("charge_point"), "controlledBy", { json_attributes_topic: t.state("charge_point") }),
    dr_active: {
      p: "binary_sensor", name: "Demand response active", unique_id: uid("dr_active"), state_topic: t.state("demand_response"),
      value_template: "{{ value_json.state }}", payload_on: "ON", payload_off: "OFF", json_attributes_topic: t.state("demand_response"),
    },
    charger_online: {
      p: "binary_sensor", name: "Charger online", unique_id: uid("charger_online"), device_class: "connectivity", entity_category: "diagnostic",
      state_topic: t.state("health"), value_template: "{{ value_json.charger.state }}", payload_on: "ON", payload_off: "OFF",
    },
    eumd_online: {
      p: "binary_sensor", name: "EUMD online", unique_id: uid("eumd_online"), device_class: "connectivity", entity_category: "diagnostic",
      state_topic: t.state("health"), value_template: "{{ value_json.eumd.state }}", payload_on: "ON", payload_off: "OFF",
    },
  };
  // Several charge points: each further one has its own binding state, comm-wait, session energy and control sensors.
  for (const id of i.chargePoints ?? []) {
    const k = (what: string) => `cp_${safeId(id)}_${what}`;
    const cpSession = t.chargePointState(id, "session"), cpState = t.chargePointState(id, "charge_point");
    cmps[k("session_energy")] = sensor(k("session_energy"), `${id} session energy`, cpSession, "energyWh", { device_class: "energy", state_class: "total_increasing", unit_of_measurement: "Wh" });
    cmps[k("binding_state")] = sensor(k("binding_state"), `${id} binding state`, cpSession, "bindingState", { device_class: "enum", options: [...BINDING_STATES], json_attributes_topic: cpSession });
    cmps[k("comm_wait")] = sensor(k("comm_wait"), `${id} comm-wait countdown`, cpSession, "commWaitLeftS", { device_class: "duration", state_class: "measurement", unit_of_measurement: "s" });
    cmps[k("controlled_by")] = sensor(k("controlled_by"), `${id} controlled by`, cpState, "controlledBy", { json_attributes_topic: cpState });
  }
  if (i.commands) {
    const plan = t.state("charge_plan");
    cmps.charge_mode = {
      p: "select", name: "Charge mode", unique_id: uid("charge_mode"), command_topic: t.command("charge_mode"), options: Object.values(MODE_OPTIONS),
      state_topic: plan, value_template: "{{ value_json.modeOption }}",
    };
    cmps.departure = {
      p: "text", name: "Departure time", unique_id: uid("departure"), command_topic: t.command("departure"), state_topic: plan,
      value_template: "{{ value_json.departAt }}", min: 0, max: 5, pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", mode: "text", icon: "mdi:clock-outline",
    };
    cmps.energy_needed = {
      p: "number", name: "Energy needed", unique_id: uid("energy_needed"), command_topic: t.command("energy_needed"), state_topic: plan,
      value_template: "{{ value_json.energyNeededKWh }}", min: 0.1, max: 200, step: 0.1, mode: "box", unit_of_measurement: "kWh", device_class: "energy",
    };
  } else {
    // Controls switched off: tell HA to drop any it created while they were on.
    for (const k of CONTROL_COMPONENTS) cmps[k] = { p: k === "charge_mode" ? "select" : k === "departure" ? "text" : "number" };
  }
  // The opt-out button carries the event's ID as its payload: a press meant for one event can never opt out of the next.
  cmps.dr_opt_out = i.commands && i.drOptOutId !== null
    ? { p: "button", name: "Opt out of demand response", unique_id: uid("dr_opt_out"), command_topic: t.command("dr_opt_out"), payload_press: i.drOptOutId, icon: "mdi:flash-off" }
    : { p: "button" };
  return {
    dev: { ids: [t.deviceId], name: "Offpeak charger", mf: "Offpeak", mdl: "Offpeak hub", sw: i.softwareVersion, ...(i.dashboardUrl ? { cu: i.dashboardUrl } : {}) },
    o: { name: "offpeak", sw: i.softwareVersion },
    availability_topic: t.availability,
    payload_available: "online",
    payload_not_available: "offline",
    qos: 1,
    cmps,
  };
}
