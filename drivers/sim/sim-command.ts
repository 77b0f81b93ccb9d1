// `offpeak sim`: runs the simulated EVSE, PEV and meters on loopback Modbus TCP, plus the HTTP control API.
import { parseArgs } from "node:util";
import { processClock, type Clock } from "../../core/time/index.ts";
import { simControlApp } from "./control-api.ts";
import { startSimulator } from "./simulator.ts";

const HELP = `usage: offpeak sim [--port 1502] [--http-port 1503] [--speed 1] [--evse-map offpeak-sim-evse] [--plugged] [--house-load 800] [--log-evse]

Serves a virtual EVSE (unit 1), EUMD (unit 2, Eastron SDM120 map) and premises meter (unit 3, SDM630 map)
over Modbus TCP on 127.0.0.1:PORT, and a JSON control API on 127.0.0.1:HTTP-PORT:
  GET  /state                     EVSE, PEV and meter state
  POST /plug    {"vin":..., "socPct":..., "batteryWh":..., "maxPowerW":..., "secretHex":...}
  POST /unplug
  POST /fault/{evse|eumd|premises}  {"kind":"timeout|exception|corrupt|drop|reset-register|wrong-unit|wrong-transaction|energy-x10","count":N,"exceptionCode":N} or null to clear
  POST /house-load {"w": 1200}
  --ocpp-url ws://HOST:PORT/ocpp/  the EVSE is an OCPP 1.6J charge point connecting to this central system instead
  --ocpp-id ID                     its charge point ID (default SIM-CP-1)
  --ocpp-password-file FILE        its password (security profile 1/2), first line of FILE
  --speed N   run simulated time N times faster than real
  --log-evse  print every change of the EVSE's output and every plug-in/unplug with its simulated time (ms)
Try: offpeak modbus read --host 127.0.0.1 --port 1502 --unit 2 --map sdm120`;

export async function simCommand(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  let v;
  try {
    v = parseArgs({ args: argv, options: {
      "ocpp-url": { type: "string" }, "ocpp-id": { type: "string" }, "ocpp-password-file": { type: "string" },
      port: { type: "string" }, "http-port": { type: "string" }, speed: { type: "string" }, "evse-map": { type: "string" },
      plugged: { type: "boolean" }, "house-load": { type: "string" }, "log-evse": { type: "boolean" }, help: { type: "boolean", short: "h" },
    } }).values;
  } catch (e) {
    err(`offpeak sim: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (v.help) { out(HELP); return 0; }
  const num = (name: string, s: string | undefined, d: number) => {
    const n = s === undefined ? d : Number(s);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} ${JSON.stringify(s)} must be a non-negative number`);
    return n;
  };
  let port: number, httpPort: number, speed: number, houseLoadW: number;
  let ocppPassword: string | undefined;
  try {
    port = num("port", v.port, 1502);
    httpPort = num("http-port", v["http-port"], 1503);
    speed = num("speed", v.speed, 1);
    houseLoadW = num("house-load", v["house-load"], 800);
    if (speed === 0) throw new Error("--speed must be above 0");
    if (v["ocpp-url"] !== undefined && !/^wss?:\/\/[^/\s]+\/(\S*\/)?$/.test(v["ocpp-url"])) throw new Error(`--ocpp-url ${JSON.stringify(v["ocpp-url"])} must be ws://host:port/path/ (ending in /; the charge point ID is appended)`);
    if (v["ocpp-password-file"] !== undefined) ocppPassword = (await Bun.file(v["ocpp-password-file"]).text()).split(/\r?\n/)[0];
  } catch (e) {
    err(`offpeak sim: ${(e as Error).message}`);
    return 2;
  }
  const clock: Clock = processClock(process.env.OFFPEAK_SIM_CLOCK, speed);
  const sim = await startSimulator({ clock, evsePort: port, eumdPort: port, premisesPort: port, houseLoadW, tickMs: 1000, evseMap: v["evse-map"] });
  if (v["log-evse"]) {
    // One line per change, stamped with simulated time: the record a test reads to prove the EVSE never charged
    // while the hub held it.
    sim.onEnableChange((on) => out(`sim: evse ${on ? "enabled" : "held"} at ${clock.nowMs()}`));
    sim.onPlugChange((plugged, pev, eumdWh) => out(`sim: ${plugged ? `plug ${pev?.vin ?? "?"}` : "unplug"} at ${clock.nowMs()} eumd ${eumdWh}`));
  }
  if (v.plugged) sim.plug();
  const http = Bun.serve({ hostname: "127.0.0.1", port: httpPort, fetch: simControlApp(sim).fetch });
  out(`offpeak sim: Modbus TCP on 127.0.0.1:${sim.ports.evse} (EVSE unit 1, EUMD unit 2, premises unit 3); control API on http://127.0.0.1:${http.port}/state`);
  if (v["ocpp-url"]) {
    const id = v["ocpp-id"] ?? "SIM-CP-1";
    sim.startOcppChargePoint({ url: v["ocpp-url"], id, clock, log: err, ...(ocppPassword !== undefined ? { password: ocppPassword } : {}) });
    out(`offpeak sim: the EVSE is OCPP 1.6J charge point ${id}, connecting to ${v["ocpp-url"]}${id}`);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await http.stop(true);
  await sim.close();
  return 0;
}
