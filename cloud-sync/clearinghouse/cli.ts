// `offpeak clearinghouse`: runs the roaming clearinghouse until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { startClearinghouse } from "./server.ts";
import { processClock } from "../../core/time/index.ts";

const HELP = `offpeak clearinghouse: routes roaming CDRs (OCPI 2.2.1 shape) between utilities (FR-30, FR-32)

Options:
  --port N              TCP port on 127.0.0.1 (default 8790; 0 = any free port)
  --db FILE             SQLite file (default offpeak-clearinghouse.db)
  --operator-token T    bearer token for registering utilities (or env OFFPEAK_CLEARINGHOUSE_TOKEN)
  --help                this text

API: POST /v1/utilities (operator), PUT|GET|DELETE /v1/tokens/:vin, POST|GET /v1/cdrs, POST /v1/cdrs/:id/ack, GET /healthz
`;

/** Returns the process exit code; resolves only when the service stops. */
export async function clearinghouseCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: "string" }, db: { type: "string" }, "operator-token": { type: "string" }, help: { type: "boolean" } },
      strict: true,
    }));
  } catch (e) {
    console.error(`offpeak clearinghouse: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port ?? 8790);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`offpeak clearinghouse: --port ${values.port}: must be a whole number 0..65535`);
    return 2;
  }
  const operatorToken = values["operator-token"] ?? process.env.OFFPEAK_CLEARINGHOUSE_TOKEN;
  if (!operatorToken) {
    console.error("offpeak clearinghouse: --operator-token (or OFFPEAK_CLEARINGHOUSE_TOKEN) is required");
    return 2;
  }
  const ch = await startClearinghouse({ port, dbPath: values.db ?? "offpeak-clearinghouse.db", operatorToken, clock: processClock(process.env.OFFPEAK_SIM_CLOCK) });
  console.log(`offpeak clearinghouse listening on ${ch.url}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await ch.close();
  return 0;
}
