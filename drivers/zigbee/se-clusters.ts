// Price 0x0700, DRLC 0x0701 and Messaging 0x0703 of ZigBee Smart Energy 1.2 (07-5356-19), as herdsman custom clusters:
// herdsman's ZCL knows Metering 0x0702 and Tunneling 0x0704 but not these three.
// Field order and types follow the spec's command payload tables. Where a value has a spec meaning that coincides with
// the ZCL "non-value" (0xFFFF duration = until changed), it is declared `special` so herdsman keeps the number instead of NaN.
// Fields added by later SE versions are guarded with MINIMUM_REMAINING_BUFFER_BYTES so frames from older devices still parse;
// a group of fields added together (the SE 1.1 PublishPrice tail) is read all or nothing, so a short remainder is never
// read as the wrong fields.
import { Zcl } from "zigbee-herdsman";
import type { Cluster, Parameter } from "zigbee-herdsman/dist/zspec/zcl/definition/tstype";

const { DataType, BuffaloZclDataType, ParameterCondition } = Zcl;

export const SE_PROFILE_ID = 0x0109;
export const PRICE_CLUSTER_ID = 0x0700;
export const DRLC_CLUSTER_ID = 0x0701;
export const METERING_CLUSTER_ID = 0x0702;
export const MESSAGING_CLUSTER_ID = 0x0703;
export const TUNNELING_CLUSTER_ID = 0x0704;

/** The herdsman names we register the custom clusters under. */
export const PRICE = "sePrice";
export const DRLC = "seDrlc";
export const MESSAGING = "seMessaging";

const UNTIL_CHANGED = { 0xffff: "untilChanged" } as const;
/** Present only when at least `n` bytes remain (SE 1.1/1.2 tail fields). */
const tail = (n: number): Parameter["conditions"] => [{ type: ParameterCondition.MINIMUM_REMAINING_BUFFER_BYTES, value: n }];
/** Present only when `field` was read (the rest of a group that is read all or nothing). */
const after = (field: string): Parameter["conditions"] => [{ type: ParameterCondition.FIELD_EQUAL, field, value: undefined, reversed: true }];
/** SE 1.1 added these five PublishPrice fields together: 4 + 1 + 1 + 1 + 1 bytes. */
const SE11_PRICE_TAIL_BYTES = 8;

export const priceCluster: Cluster = {
  ID: PRICE_CLUSTER_ID,
  name: PRICE,
  attributes: {},
  // client → server (the hub is the Price server)
  commands: {
    getCurrentPrice: { ID: 0x00, name: "getCurrentPrice", parameters: [{ name: "commandOptions", type: DataType.BITMAP8 }] },
    getScheduledPrices: {
      ID: 0x01,
      name: "getScheduledPrices",
      parameters: [
        { name: "startTime", type: DataType.UTC },
        { name: "numberOfEvents", type: DataType.UINT8, special: { 0: "allAvailable", 0xff: "max" } },
      ],
    },
    priceAcknowledgement: {
      ID: 0x02,
      name: "priceAcknowledgement",
      parameters: [
        { name: "providerId", type: DataType.UINT32, max: 0xffffffff },
        { name: "issuerEventId", type: DataType.UINT32, max: 0xffffffff },
        { name: "priceAckTime", type: DataType.UTC },
        { name: "control", type: DataType.BITMAP8 },
      ],
    },
  },
  // server → client
  commandsResponse: {
    publishPrice: {
      ID: 0x00,
      name: "publishPrice",
      parameters: [
        { name: "providerId", type: DataType.UINT32, max: 0xffffffff },
        { name: "rateLabel", type: DataType.OCTET_STR, maxLen: 12 },
        { name: "issuerEventId", type: DataType.UINT32, max: 0xffffffff },
        { name: "currentTime", type: DataType.UTC },
        { name: "unitOfMeasure", type: DataType.ENUM8 },
        { name: "currency", type: DataType.UINT16 },
        { name: "priceTrailingDigitAndPriceTier", type: DataType.BITMAP8 },
        { name: "numberOfPriceTiersAndRegisterTier", type: DataType.BITMAP8 },
        { name: "startTime", type: DataType.UTC, special: { 0: "now" } },
        { name: "durationInMinutes", type: DataType.UINT16, special: UNTIL_CHANGED },
        { name: "price", type: DataType.UINT32, max: 0xfffffffe },
        { name: "priceRatio", type: DataType.UINT8 },
        { name: "generationPrice", type: DataType.UINT32 },
        { name: "generationPriceRatio", type: DataType.UINT8 },
        // SE 1.1 tail, all or nothing
        { name: "alternateCostDelivered", type: DataType.UINT32, conditions: tail(SE11_PRICE_TAIL_BYTES) },
        { name: "alternateCostUnit", type: DataType.ENUM8, conditions: after("alternateCostDelivered") },
        { name: "alternateCostTrailingDigit", type: DataType.BITMAP8, conditions: after("alternateCostDelivered") },
        { name: "numberOfBlockThresholds", type: DataType.UINT8, conditions: after("alternateCostDelivered") },
        { name: "priceControl", type: DataType.BITMAP8, conditions: after("alternateCostDelivered") },
        // Never sent: catches 1..7 bytes that cannot be the SE 1.1 tail, so parsePublishPrice can refuse the frame.
        {
          name: "partialSe11Tail",
          type: BuffaloZclDataType.BUFFER,
          conditions: [...tail(1)!, { type: ParameterCondition.FIELD_EQUAL, field: "alternateCostDelivered", value: undefined }],
        },
      ],
    },
  },
};

export const drlcCluster: Cluster = {
  ID: DRLC_CLUSTER_ID,
  name: DRLC,
  attributes: {},
  // client → server (device → hub)
  commands: {
    reportEventStatus: {
      ID: 0x00,
      name: "reportEventStatus",
      parameters: [
        { name: "issuerEventId", type: DataType.UINT32, max: 0xffffffff },
        { name: "eventStatus", type: DataType.ENUM8 },
        { name: "eventStatusTime", type: DataType.UTC },
        { name: "criticalityLevelApplied", type: DataType.UINT8 },
        // Signed like the event's set points: 0x8000 (the INT16 non-value) = not used.
        { name: "coolingTemperatureSetPointApplied", type: DataType.INT16 },
        { name: "heatingTemperatureSetPointApplied", type: DataType.INT16 },
        { name: "averageLoadAdjustmentPercentageApplied", type: DataType.INT8 },
        { name: "dutyCycleApplied", type: DataType.UINT8 },
        { name: "eventControl", type: DataType.BITMAP8 },
        { name: "signatureType", type: DataType.ENUM8 },
        // Signature type 0x01 = 42-byte ECDSA; devices that do not sign (type 0) often leave it out. Whatever bytes
        // remain are read, so parseReportEventStatus can refuse a signature of the wrong length instead of ignoring it.
        { name: "signature", type: BuffaloZclDataType.BUFFER, conditions: tail(1) },
      ],
    },
    getScheduledEvents: {
      ID: 0x01,
      name: "getScheduledEvents",
      parameters: [
        { name: "startTime", type: DataType.UTC, special: { 0: "now" } },
        { name: "numberOfEvents", type: DataType.UINT8 },
        { name: "issuerEventId", type: DataType.UINT32, conditions: tail(4) },
      ],
    },
  },
  commandsResponse: {
    loadControlEvent: {
      ID: 0x00,
      name: "loadControlEvent",
      parameters: [
        { name: "issuerEventId", type: DataType.UINT32, max: 0xffffffff },
        { name: "deviceClass", type: DataType.BITMAP16 },
        { name: "utilityEnrollmentGroup", type: DataType.UINT8, special: { 0: "all" } },
        { name: "startTime", type: DataType.UTC, special: { 0: "now" } },
        { name: "durationInMinutes", type: DataType.UINT16, max: 0x5a0 },
        { name: "criticalityLevel", type: DataType.UINT8 },
        { name: "coolingTemperatureOffset", type: DataType.UINT8 },
        { name: "heatingTemperatureOffset", type: DataType.UINT8 },
        { name: "coolingTemperatureSetPoint", type: DataType.INT16 },
        { name: "heatingTemperatureSetPoint", type: DataType.INT16 },
        { name: "averageLoadAdjustmentPercentage", type: DataType.INT8 },
        { name: "dutyCycle", type: DataType.UINT8 },
        { name: "eventControl", type: DataType.BITMAP8 },
      ],
    },
    cancelLoadControlEvent: {
      ID: 0x01,
      name: "cancelLoadControlEvent",
      parameters: [
        { name: "issuerEventId", type: DataType.UINT32, max: 0xffffffff },
        { name: "deviceClass", type: DataType.BITMAP16 },
        { name: "utilityEnrollmentGroup", type: DataType.UINT8, special: { 0: "all" } },
        { name: "cancelControl", type: DataType.BITMAP8 },
        { name: "effectiveTime", type: DataType.UTC, special: { 0: "now" } },
      ],
    },
    cancelAllLoadControlEvents: { ID: 0x02, name: "cancelAllLoadControlEvents", parameters: [{ name: "cancelControl", type: DataType.BITMAP8 }] },
  },
};

export const messagingCluster: Cluster = {
  ID: MESSAGING_CLUSTER_ID,
  name: MESSAGING,
  attributes: {},
  commands: {
    getLastMessage: { ID: 0x00, name: "getLastMessage", parameters: [] },
    messageConfirmation: {
      ID: 0x01,
      name: "messageConfirmation",
      parameters: [
        { name: "messageId", type: DataType.UINT32, max: 0xffffffff },
        { name: "confirmationTime", type: DataType.UTC },
        // SE 1.2
        { name: "messageConfirmationControl", type: DataType.BITMAP8, conditions: tail(1) },
        { name: "messageResponse", type: DataType.OCTET_STR, conditions: tail(1) },
      ],
    },
  },
  commandsResponse: {
    displayMessage: {
      ID: 0x00,
      name: "displayMessage",
      parameters: [
        { name: "messageId", type: DataType.UINT32, max: 0xffffffff },
        { name: "messageControl", type: DataType.BITMAP8 },
        { name: "startTime", type: DataType.UTC, special: { 0: "now" } },
        { name: "durationInMinutes", type: DataType.UINT16, special: UNTIL_CHANGED },
        { name: "message", type: DataType.CHAR_STR },
        // SE 1.2
        { name: "extendedMessageControl", type: DataType.BITMAP8, conditions: tail(1) },
      ],
    },
    cancelMessage: {
      ID: 0x01,
      name: "cancelMessage",
      parameters: [
        { name: "messageId", type: DataType.UINT32, max: 0xffffffff },
        { name: "messageControl", type: DataType.BITMAP8 },
      ],
    },
  },
};

/** All three, keyed as herdsman expects for `Frame.create`/`fromBuffer` and `device.addCustomCluster`. */
export const SE_CUSTOM_CLUSTERS: Readonly<Record<string, Cluster>> = { [PRICE]: priceCluster, [DRLC]: drlcCluster, [MESSAGING]: messagingCluster };
