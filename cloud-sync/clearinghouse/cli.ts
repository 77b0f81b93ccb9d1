// `offpeak clearinghouse`: runs the roaming clearinghouse until SIGINT/SIGTERM.
import { startClearinghouse } from "./server.ts";
import { processClock } from "../../core/time/index.ts";
import { portOption, refuseRetiredVariable, requiredOption, runCommand } from "../../core/cli/index.ts";
import { RETIRED_CLEARINGHOUSE_TOKEN } from "../protocol/index.ts";

const HELP = `offpeak clearinghouse: routes roaming CDRs (OCPI 2.2.1 shape) between utilities (FR-30, FR-32)

Options:
  --port N              TCP port on 127.0.0.1 (default 8790; 0 = any free port)
  --db FILE             SQLite file (default offpeak-clearinghouse.db)
  --operator-token T    bearer token for registering utilities (or env OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN)
  --help                this text

API: POST /v1/utilities {utilityId, baseUrl, token, publicKeyPem, ocpi} (operator), PUT|GET|DELETE /v1/tokens/{vin} (PUT and
     DELETE signed with the utility's key), POST|GET /v1/cdrs, GET /v1/cdrs/{id}, POST /v1/cdrs/{id}/ack, GET /healthz;
     described in full at GET /openapi.json.
`;

/** Returns the process exit code; resolves only when the service stops. */
export async function clearinghouseCommand(argv: string[]): Promise<number> {
  return runCommand("clearinghouse", HELP, argv, { port: { type: "string" }, db: { type: "string" }, "operator-token": { type: "string" } }, async (values) => {
    const port = portOption(values.port, 8790, "clearinghouse");
    refuseRetiredVariable("OFFPEAK_CLEARINGHOUSE_TOKEN", RETIRED_CLEARINGHOUSE_TOKEN, "clearinghouse");
    const operatorToken = requiredOption(values["operator-token"] ?? process.env.OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN, "--operator-token", "OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN", "clearinghouse");
    const ch = await startClearinghouse({ port, dbPath: values.db ?? "offpeak-clearinghouse.db", operatorToken, clock: processClock(process.env.OFFPEAK_SIM_CLOCK) });
    console.log(`offpeak clearinghouse listening on ${ch.url}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    await ch.close();
    return 0;
  });
}
