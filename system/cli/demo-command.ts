// `offpeak demo` (what `npm start` runs): the whole system on embedded defaults.
import { DEFAULT_DEMO_PORTS, startDemo, type DemoPorts } from "../demo/demo.ts";
import { parseOptions, portOption, UsageError } from "../../core/cli/index.ts";

export const DEMO_HELP = `offpeak demo — the whole use case on this machine, on loopback, with no configuration

Usage: offpeak demo [--speed X] [--data-dir DIR] [--fresh] [--no-auto-plug] [--hub-port N] ...

Starts the clearinghouse, a utility head-end seeded with a demo customer, premises, EV program and enrolled vehicle,
the device simulator (EVSE, vehicle, sub-meter, premises meter on Modbus TCP), and the hub with its dashboard.
A few (simulated) seconds after start the demo vehicle plugs in, binds and charges; it leaves after six hours and
returns an hour later (the short re-binding path).

Options:
  --speed X                  simulated time runs X times faster (default 1; 60 = an hour a minute)
  --data-dir DIR             where every service keeps its data (default ./data/demo)
  --fresh                    start from empty databases
  --no-auto-plug             leave plugging in to you (simulator control API: POST /plug, /unplug)
  --hub-port N               hub and dashboard (default ${DEFAULT_DEMO_PORTS.hub})
  --utility-port N           utility head-end (default ${DEFAULT_DEMO_PORTS.utility})
  --clearinghouse-port N     clearinghouse (default ${DEFAULT_DEMO_PORTS.clearinghouse})
  --sim-port N               simulator Modbus TCP (default ${DEFAULT_DEMO_PORTS.sim})
  --sim-control-port N       simulator control API (default ${DEFAULT_DEMO_PORTS.simControl})
  --pevlink-port N           hub's PEV link (default ${DEFAULT_DEMO_PORTS.pevlink})
  --charger modbus|ocpp      how the hub drives the EVSE: Modbus TCP (default) or OCPP 1.6J — the simulated
                             charge point connects to the hub's central system and its meter is the EUMD
  --ocpp-port N              hub's OCPP central system, with --charger ocpp (default ${DEFAULT_DEMO_PORTS.ocpp})
  --help                     this text
`;

export async function demoCommand(argv: string[]): Promise<number> {
  let ports: DemoPorts;
  let charger: "modbus" | "ocpp" = "modbus";
  let speed: number;
  let values;
  try {
    values = parseOptions(argv, {
      speed: { type: "string" }, "data-dir": { type: "string" }, fresh: { type: "boolean" }, "no-auto-plug": { type: "boolean" },
      "hub-port": { type: "string" }, "utility-port": { type: "string" }, "clearinghouse-port": { type: "string" },
      "sim-port": { type: "string" }, "sim-control-port": { type: "string" }, "pevlink-port": { type: "string" }, help: { type: "boolean" },
      charger: { type: "string" }, "ocpp-port": { type: "string" },
    }, "demo");
    if (values.help) { console.log(DEMO_HELP); return 0; }
    speed = values.speed === undefined ? 1 : Number(values.speed);
    if (!(speed > 0 && speed <= 3600)) throw new UsageError(`offpeak demo: --speed must be a number from 0.01 to 3600, got ${JSON.stringify(values.speed)}`);
    const d = DEFAULT_DEMO_PORTS;
    ports = {
      hub: portOption(values["hub-port"], d.hub, "demo", "hub-port"), utility: portOption(values["utility-port"], d.utility, "demo", "utility-port"),
      clearinghouse: portOption(values["clearinghouse-port"], d.clearinghouse, "demo", "clearinghouse-port"), sim: portOption(values["sim-port"], d.sim, "demo", "sim-port"),
      simControl: portOption(values["sim-control-port"], d.simControl, "demo", "sim-control-port"), pevlink: portOption(values["pevlink-port"], d.pevlink, "demo", "pevlink-port"),
      ocpp: portOption(values["ocpp-port"], d.ocpp, "demo", "ocpp-port"),
    };
    if (values.charger !== undefined && values.charger !== "modbus" && values.charger !== "ocpp") throw new UsageError(`offpeak demo: --charger must be modbus or ocpp, got ${JSON.stringify(values.charger)}`);
    if (values.charger) charger = values.charger;
  } catch (e) {
    if (e instanceof UsageError) { console.error(e.message); return 2; }
    throw e;
  }
  let demo;
  try {
    demo = await startDemo({ dataDir: values["data-dir"] ?? "./data/demo", speed, ports, fresh: values.fresh, autoPlug: !values["no-auto-plug"], charger });
  } catch (e) {
    console.error(`offpeak demo: ${(e as Error).message}`);
    return 1;
  }
  console.log(`
Offpeak demo is running${speed !== 1 ? ` at ${speed}x simulated time` : ""}.
  Dashboard (hub):      ${demo.hub.url}
  Utility head-end:     ${demo.utility.url}   (customer API token for ${demo.seed.accountId}: ${demo.seed.customerToken})
  Clearinghouse:        ${demo.clearinghouse.url}
  Simulator:            Modbus TCP 127.0.0.1:${demo.sim.ports.evse} (units 1 EVSE, 2 EUMD, 3 premises meter); control ${demo.simControlUrl}${demo.hub.ocpp ? `
  Charger (OCPP 1.6J):  charge point ${demo.hub.ocpp.view().chargePoint?.id} connects to ${demo.hub.ocpp.url}; its meter is the EUMD` : ""}
  Demo vehicle:         ${demo.seed.vin}, enrolled at ${demo.seed.premisesId} in program ${demo.seed.programId}
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => { process.once("SIGINT", resolve); process.once("SIGTERM", resolve); });
  console.log("\noffpeak demo: stopping");
  await demo.stop();
  return 0;
}
