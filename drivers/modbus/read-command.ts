// `offpeak modbus read`: the hobbyist's wiring check. Reads every register a map documents and prints the
// decoded values, so a person can see a device answer before configuring it in the hub.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { RealClock } from "../../core/time/index.ts";
import { DEVICE_MAPS, DeviceMapError, loadDeviceMaps, parseDeviceMapText, UnknownDeviceMapError, type DeviceMap } from "../devices/index.ts";
import { FieldReader } from "./field-reader.ts";
import { ModbusLink } from "./modbus-link.ts";
import { describeTransport, validateTransport, type ModbusTransportConfig } from "./transport.ts";

const HELP = `usage: offpeak modbus read --map MAP [--data-dir DIR] (--host HOST [--port 502] [--rtu-over-tcp] | --serial PATH [--baud 9600] [--parity none|even|odd] [--stop-bits 1|2]) [--unit 1] [--timeout 1000] [--json]

Reads every register of MAP from one device and prints the decoded values.
  --map MAP        ${DEVICE_MAPS.map((m) => m.id).join(", ")} (aliases: ${DEVICE_MAPS.flatMap((m) => m.aliases ?? []).join(", ")}),
                   a user map's id (with --data-dir), or the path of a map file (FILE.json) to try before installing it
  --data-dir DIR   the hub's data folder: its devices/*.json maps are known too
  --host HOST      Modbus TCP device or gateway address
  --port PORT      TCP port (default 502)
  --rtu-over-tcp   the gateway passes RTU frames (with CRC) over TCP instead of Modbus TCP
  --serial PATH    RS485 adapter, e.g. /dev/ttyUSB0 (Modbus RTU)
  --baud N         serial baud rate (default: the map's factory setting, else 9600)
  --parity P       none, even or odd (default: the map's factory setting, else none)
  --stop-bits N    1 or 2 (default 1)
  --unit N         Modbus unit (slave) id (default: the map's default, usually 1)
  --timeout MS     response timeout (default 1000)
  --json           print one JSON object instead of a table
Exit status: 0 read ok, 1 device did not answer or answered wrongly, 2 bad arguments.`;

export async function modbusReadCommand(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];
  try {
    ({ values } = parseArgs({ args: argv[0] === "read" ? argv.slice(1) : argv, options: OPTIONS, allowPositionals: true }));
  } catch (e) {
    err(`offpeak modbus read: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) { out(HELP); return 0; }
  const bad = (msg: string): number => { err(`offpeak modbus read: ${msg}\n(run with --help for usage)`); return 2; };
  if (!values.map) return bad("--map is required");
  let map: DeviceMap;
  try {
    map = await resolveMap(values.map, values["data-dir"]);
  } catch (e) {
    if (e instanceof DeviceMapError || e instanceof UnknownDeviceMapError || (e as NodeJS.ErrnoException).code === "ENOENT") return bad((e as Error).message);
    throw e;
  }
  if (!!values.host === !!values.serial) return bad("give exactly one of --host or --serial");
  const int = (name: string, v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${name} ${JSON.stringify(v)} is not a whole number`);
    return n;
  };
  let transport: ModbusTransportConfig;
  try {
    const unitId = int("unit", values.unit, map.defaultUnitId);
    const timeoutMs = int("timeout", values.timeout, 1000);
    if (values.host) {
      transport = { kind: values["rtu-over-tcp"] ? "rtu-over-tcp" : "tcp", host: values.host, port: int("port", values.port, 502), unitId, timeoutMs };
    } else {
      const parity = (values.parity ?? map.serialDefaults?.parity ?? "none") as "none" | "even" | "odd";
      if (!["none", "even", "odd"].includes(parity)) throw new Error(`--parity ${parity} must be none, even or odd`);
      const stopBits = int("stop-bits", values["stop-bits"], map.serialDefaults?.stopBits ?? 1);
      if (stopBits !== 1 && stopBits !== 2) throw new Error(`--stop-bits ${stopBits} must be 1 or 2`);
      transport = { kind: "rtu", path: values.serial!, baudRate: int("baud", values.baud, map.serialDefaults?.baudRate ?? 9600), parity, stopBits, unitId, timeoutMs };
    }
    validateTransport(transport);
  } catch (e) {
    return bad((e as Error).message);
  }

  const link = new ModbusLink(`${map.id}@${describeTransport(transport)}`, transport, { clock: new RealClock() }, { retries: 1 });
  try {
    const names = Object.keys(map.fields);
    const v = await new FieldReader(link, map, names).read();
    if (values.json) {
      out(JSON.stringify({ map: map.id, transport: describeTransport(transport), values: v }));
    } else {
      out(`${map.vendor} ${map.model} (${map.id}) at ${describeTransport(transport)}`);
      for (const n of names) {
        const f = map.fields[n]!;
        const val = v[n]!;
        const shown = typeof val === "number" ? String(Math.round(val * 1000) / 1000) : JSON.stringify(val);
        out(`  ${n.padEnd(24)} ${shown.padStart(14)} ${(f.unit ?? "").padEnd(4)} ${f.table} ${f.address} (0x${f.address.toString(16).padStart(4, "0")})  ${f.description}`);
      }
    }
    return 0;
  } catch (e) {
    err(`offpeak modbus read: ${(e as Error).message}`);
    err("check: wiring A/B not swapped, unit id, baud/parity match the device, 120 Ω termination at both bus ends (docs/hardware.md)");
    return 1;
  } finally {
    await link.close();
  }
}

/** A map by name (shipped or in `<dataDir>/devices/`), or a map file given by its path. */
async function resolveMap(name: string, dataDir: string | undefined): Promise<DeviceMap> {
  if (name.endsWith(".json")) return parseDeviceMapText(readFileSync(name, "utf8"), name);
  const registry = await loadDeviceMaps(dataDir ?? null);
  const map = registry.find(name);
  if (!map) throw new UnknownDeviceMapError(name, undefined, registry, "--map");
  return map;
}

const OPTIONS = {
  map: { type: "string" }, "data-dir": { type: "string" }, host: { type: "string" }, port: { type: "string" }, "rtu-over-tcp": { type: "boolean" },
  serial: { type: "string" }, baud: { type: "string" }, parity: { type: "string" }, "stop-bits": { type: "string" },
  unit: { type: "string" }, timeout: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
} as const;
