#!/usr/bin/env bun
// `offpeak <command>`: one entry point for every process of the system. Each command loads only its own code.
import { HUB_JIT_POLICY } from "./hub-memory.ts";

const HELP = `offpeak — edge-first home hub for utility EV-charging programs

Usage: offpeak <command> [options]     (every command takes --help)

Commands:
  demo            the whole system on embedded defaults: utility, clearinghouse, simulator, hub (what \`npm start\` runs)
  hub             the home hub: devices, binding, the comm-wait window and fallback, dashboard, sync
  utility         the utility head-end: enrollment, binding validation, billing, customer API
  clearinghouse   the roaming clearinghouse: routes charge detail records between utilities
  sim             the device simulator: EVSE, PEV, EUMD and premises meter on Modbus TCP
  modbus read     read and decode a Modbus device with a register map (wiring check)
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  hub: async () => {
    Bun.unsafe.setJITPolicy(HUB_JIT_POLICY); // before the hub's code loads: its start is a burst of run-once code
    return (await import("./hub-command.ts")).hubCommand;
  },
  demo: async () => (await import("./demo-command.ts")).demoCommand,
  utility: async () => (await import("../../cloud-sync/utility/index.ts")).utilityCommand,
  clearinghouse: async () => (await import("../../cloud-sync/clearinghouse/index.ts")).clearinghouseCommand,
  sim: async () => (await import("../../drivers/sim/index.ts")).simCommand,
  modbus: async () => async (argv: string[]) => {
    if (argv[0] !== "read") {
      console.error(argv[0] === undefined || argv[0] === "--help" ? "Usage: offpeak modbus read --help" : `offpeak modbus: unknown subcommand ${JSON.stringify(argv[0])}; did you mean 'offpeak modbus read'?`);
      return argv[0] === "--help" ? 0 : 2;
    }
    return (await import("../../drivers/modbus/index.ts")).modbusReadCommand(argv.slice(1));
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`offpeak: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  return (await load())(rest);
}

if (import.meta.main) {
  // Long-running commands resolve only once they have stopped (Ctrl-C), so exiting here is always safe.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => { console.error(`offpeak: ${(e as Error).message}`); process.exit(1); },
  );
}
