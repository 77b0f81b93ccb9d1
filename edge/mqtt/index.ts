// The hub's MQTT view with Home Assistant discovery (issue 17). Load this module only when [mqtt] is configured:
// it pulls in the mqtt package. See docs/home-assistant.md.
export { MqttView, removeFromBroker, READING_PUBLISH_MIN_MS, type MqttViewOptions } from "./mqtt-view.ts";
export { discoveryPayload, type DevicePayload, type Component } from "./discovery.ts";
export { topicsFor, STATE_TOPICS, COMMAND_TOPICS, type Topics, type StateTopic, type CommandTopic } from "./topics.ts";
export { BINDING_STATES, MODE_OPTIONS } from "./state-views.ts";
