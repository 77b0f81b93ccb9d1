// Zigbee Smart Energy on zigbee-herdsman: coordinator, SE 1.2 Price/DRLC/Messaging custom clusters, Metering as a
// Meter port, the Tunneling cluster as a byte channel for the PEV link, and the hub-facing ZigbeeSmartEnergy service.
export { ZigbeeCoordinator, type ZigbeeCoordinatorOptions, type ZigbeeDeviceInfo, type CoordinatorKind } from "./coordinator.ts";
export { ZigbeeSmartEnergy, type ZigbeeSmartEnergyOptions, type MessageConfirmation } from "./smart-energy-service.ts";
export * from "./se-clusters.ts";
export { buildServerCommand, buildClientCommand, parseSeFrame, type ParsedSeFrame } from "./se-frames.ts";
export { toZigbeeUtc, fromZigbeeUtc, ZIGBEE_EPOCH_OFFSET_S } from "./se-time.ts";
export { publishPricePayload, parsePublishPrice, publishPriceFromTariff, seAmountFromMicroUsd, CURRENCY_USD, UNIT_KWH, type PublishPrice, type PriceAt, type PriceContext } from "./price-messages.ts";
export { loadControlEventPayload, parseReportEventStatus, DEVICE_CLASS_EV, EVENT_STATUS, type LoadControlEvent, type EventStatusReport, type EventStatus } from "./drlc-messages.ts";
export { displayMessagePayload, bindingMessageText, MAX_MESSAGE_BYTES, type DisplayMessage, type MessageImportance } from "./messaging-messages.ts";
export { ZigbeeSeMeter, summationToWh, demandToW, displaySummation, type MeteringFormat, type MeteringSource } from "./metering.ts";
export { ZigbeeTunnel, PEV_LINK_TUNNEL_PROTOCOL, TUNNEL_CHUNK_BYTES, TUNNEL_STATUS, type TunnelByteChannel } from "./tunnel.ts";
export { startSerialBridge, type SerialBridge, type SerialBridgeOptions } from "./serial-bridge.ts";
