export { BunSerialPort, type SerialPortEvents } from "./bun-serial-port.ts";
export { charTimeMs, SerialConfigError, STANDARD_BAUD_RATES, sttyArgs, validateLineSettings, type LineSettings, type Parity } from "./line-settings.ts";
export * from "./pty-pair.ts";
