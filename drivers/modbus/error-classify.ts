// Maps whatever modbus-serial, the socket or the tty threw onto the DeviceError kinds the shell understands,
// and says whether another attempt could help and whether the connection must be rebuilt.
import { DeviceError } from "../../core/ports/index.ts";

export interface ClassifiedError { error: DeviceError; retry: boolean; reconnect: boolean }

interface ModbusLikeError { message?: string; errno?: string; code?: string; modbusCode?: number; name?: string }

export function classifyError(device: string, e: unknown): ClassifiedError {
  if (e instanceof DeviceError) return { error: e, retry: e.kind !== "config" && e.kind !== "exception", reconnect: e.kind === "disconnected" };
  const x = (typeof e === "object" && e !== null ? e : { message: String(e) }) as ModbusLikeError;
  const msg = x.message ?? String(e);
  if (typeof x.modbusCode === "number") {
    // 5 Acknowledge and 6 Busy ask to be retried; other exceptions are the device's answer and final.
    const retry = x.modbusCode === 5 || x.modbusCode === 6;
    return { error: new DeviceError(device, "exception", `Modbus exception ${x.modbusCode}: ${msg.replace(/^Modbus exception \d+: /, "")}`), retry, reconnect: false };
  }
  if (x.errno === "ETIMEDOUT" || /timed out/i.test(msg)) {
    return { error: new DeviceError(device, "timeout", `no answer: ${msg}`), retry: true, reconnect: false };
  }
  if (/CRC|Data length|Unexpected data|length error/i.test(msg)) {
    return { error: new DeviceError(device, "malformed", `bad frame: ${msg}`), retry: true, reconnect: false };
  }
  if (/ECONNREFUSED|ECONNRESET|EPIPE|ENOTCONN|EHOSTUNREACH|ENETUNREACH|Port Not Open|closed|not open|socket/i.test(`${x.errno ?? ""} ${x.code ?? ""} ${msg}`)) {
    return { error: new DeviceError(device, "disconnected", msg), retry: true, reconnect: true };
  }
  if (/serial port|stty|ENOENT|EACCES/i.test(msg)) {
    return { error: new DeviceError(device, "config", msg), retry: false, reconnect: true };
  }
  return { error: new DeviceError(device, "disconnected", msg), retry: true, reconnect: true };
}
