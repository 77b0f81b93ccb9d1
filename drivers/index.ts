// drivers/: device I/O. Each driver family is its own public surface, imported on its own so the hub loads only
// what its configuration names (a hub without Zigbee never loads zigbee-herdsman):
//   drivers/modbus/index.ts   Modbus TCP/RTU transports, register maps (data, drivers/devices/), charger and meter
//   drivers/zigbee/index.ts   Zigbee Smart Energy over zigbee-herdsman: Price, DRLC, Messaging, Metering, Tunneling
//   drivers/pevlink/index.ts  the secure PEV link (TCP or the SE tunnel), ID-only degradation
//   drivers/serial/index.ts   serial ports under Bun (no native binding)
//   drivers/sim/index.ts      the device simulator (EVSE, PEV, EUMD, premises meter)
//   drivers/devices/index.ts  the device descriptions (register maps)
// Nothing is re-exported here on purpose: importing this file loads no driver.
export {};
