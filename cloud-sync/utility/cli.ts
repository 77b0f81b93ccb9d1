// `offpeak utility`: runs the head-end until SIGINT/SIGTERM. Prints `listening on URL` once it serves.
import { readFileSync } from "node:fs";
import { startUtility } from "./server.ts";
import { processClock } from "../../core/time/index.ts";
import { portOption, refuseRetiredVariable, requiredOption, runCommand, UsageError } from "../../core/cli/index.ts";
import { RETIRED_CLEARINGHOUSE_TOKEN, type OcpiParty } from "../protocol/index.ts";
import { makeHubKey } from "./hub-key.ts";
import { parseLogLevel, type LogLevel } from "./log/structured-log.ts";

const HELP = `offpeak utility: the utility head-end (enrollment, binding, sessions, ledger, bills, S4 API)

Usage: offpeak utility [options]          run the head-end
       offpeak utility hub-key [--out F]  make a hub key pair and print it (see 'offpeak utility hub-key --help')

Options:
  --port N                  TCP port on 127.0.0.1 (default 8787; 0 = any free port)
  --db FILE|URL             SQLite file (default offpeak-utility.db; ":memory:" for none), or a PostgreSQL URL
                            postgres://user@host:5432/db (or env OFFPEAK_UTILITY_DB); migrated at start
  --db-schema NAME          PostgreSQL schema to work in (default: the server's search_path, normally public)
  --db-pool N               PostgreSQL connections in the pool (default 10)
  --db-statement-timeout-ms N  PostgreSQL statement_timeout (default 30000; 0 = none)
  --utility-id ID           this utility's ID (default UTIL-DEMO)
  --time-zone ZONE          IANA zone for tariffs and bill months (default America/Los_Angeles)
  --operator-token T        bearer token of the operator API (or env OFFPEAK_OPERATOR_TOKEN)
  --signing-key FILE        PKCS#8 PEM Ed25519 key for binding credentials (default: generated, kept in the DB)
  --clearinghouse URL       clearinghouse base URL for roaming
  --clearinghouse-token T   token registered for this utility at the clearinghouse (or env OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN)
  --ocpi-party CC*PID       this utility's OCPI party in its CDRs, e.g. US*ABC (or env OFFPEAK_OCPI_PARTY; default US*
                            and 3 characters derived from the utility ID)
  --log-level L             debug | info | warn | error: one JSON line per event on stdout (or env OFFPEAK_LOG_LEVEL; default info)
  --seed-demo-hub ID=FILE   seed the demo program, customer, PEV, and pair hub ID with the public key PEM in FILE
  --help                    this text

The API is described at GET /openapi.json; conventions and operations in docs/utility.md.
`;

const HUB_KEY_HELP = `offpeak utility hub-key: make an Ed25519 key pair for a hub

Prints JSON: keyId, publicKey (raw, base64url) and publicKeyPem (SPKI) for POST /v1/operator/hubs, and the private key
(PKCS#8 PEM) the hub keeps as <data_dir>/hub-key.pem.

Options:
  --out FILE   write the private key to FILE (mode 0600; refused if FILE exists) instead of printing it
  --help       this text
`;

/** \`offpeak utility hub-key\`: prints the key pair as JSON; returns the exit code. */
export async function hubKeyCommand(argv: string[]): Promise<number> {
  return runCommand("utility hub-key", HUB_KEY_HELP, argv, { out: { type: "string" } }, async (values) => {
    try {
      console.log(JSON.stringify(makeHubKey(values.out), null, 2));
      return 0;
    } catch (e) {
      console.error(`offpeak utility hub-key: ${(e as Error).message}`);
      return 1;
    }
  });
}

/** \`CC*PID\` → the OCPI party, or a UsageError naming the option. */
function ocpiPartyOption(raw: string | undefined): OcpiParty | undefined {
  if (raw === undefined) return undefined;
  const m = /^([A-Z]{2})\*([A-Z0-9]{3})$/.exec(raw);
  if (!m) throw new UsageError(`offpeak utility: --ocpi-party must be COUNTRY*PARTY such as US*ABC (ISO 3166 alpha-2, 3 letters or digits), got ${JSON.stringify(raw)}`);
  return { countryCode: m[1]!, partyId: m[2]! };
}

export async function utilityCommand(argv: string[]): Promise<number> {
  if (argv[0] === "hub-key") return hubKeyCommand(argv.slice(1));
  const options = {
    port: { type: "string" }, db: { type: "string" }, "db-schema": { type: "string" }, "db-pool": { type: "string" }, "db-statement-timeout-ms": { type: "string" }, "utility-id": { type: "string" }, "time-zone": { type: "string" },
    "operator-token": { type: "string" }, "signing-key": { type: "string" }, clearinghouse: { type: "string" },
    "clearinghouse-token": { type: "string" }, "seed-demo-hub": { type: "string" }, "ocpi-party": { type: "string" }, "log-level": { type: "string" },
  } as const;
  return runCommand("utility", HELP, argv, options, async (values) => {
    const port = portOption(values.port, 8787, "utility");
    const operatorToken = requiredOption(values["operator-token"] ?? process.env.OFFPEAK_OPERATOR_TOKEN, "--operator-token", "OFFPEAK_OPERATOR_TOKEN", "utility");
    let signingKey: string | undefined;
    if (values["signing-key"]) {
      try {
        signingKey = readFileSync(values["signing-key"], "utf8");
      } catch (e) {
        console.error(`offpeak utility: --signing-key ${values["signing-key"]}: ${(e as Error).message}`);
        return 2;
      }
    }
    refuseRetiredVariable("OFFPEAK_CLEARINGHOUSE_TOKEN", RETIRED_CLEARINGHOUSE_TOKEN, "utility");
    const clearinghouseToken = values["clearinghouse-token"] ?? process.env.OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN;
    const ocpi = ocpiPartyOption(values["ocpi-party"] ?? process.env.OFFPEAK_OCPI_PARTY);
    let logLevel: LogLevel;
    try {
      logLevel = parseLogLevel(values["log-level"] ?? process.env.OFFPEAK_LOG_LEVEL);
    } catch (e) {
      throw new UsageError(`offpeak utility: --log-level: ${(e as Error).message}`);
    }
    const count = (v: string | undefined, name: string, min: number): number | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`offpeak utility: ${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const dbPoolMax = count(values["db-pool"], "--db-pool", 1);
    const dbStatementTimeoutMs = count(values["db-statement-timeout-ms"], "--db-statement-timeout-ms", 0);
    try {
      const u = await startUtility({
        port, dbPath: values.db ?? process.env.OFFPEAK_UTILITY_DB ?? "offpeak-utility.db",
        ...(values["db-schema"] ? { dbSchema: values["db-schema"] } : {}), ...(dbPoolMax !== undefined ? { dbPoolMax } : {}), ...(dbStatementTimeoutMs !== undefined ? { dbStatementTimeoutMs } : {}),
        utilityId: values["utility-id"] ?? "UTIL-DEMO",
        ...(values["time-zone"] ? { timeZone: values["time-zone"] } : {}), operatorToken,
        ...(signingKey ? { signingKey } : {}),
        ...(values.clearinghouse ? { clearinghouseUrl: values.clearinghouse } : {}),
        ...(clearinghouseToken ? { clearinghouseToken } : {}),
        ...(ocpi ? { ocpi } : {}),
        logLevel,
        // Shares an accelerated timeline with the hub and simulator when OFFPEAK_SIM_CLOCK is set (story test, demos).
        clock: processClock(process.env.OFFPEAK_SIM_CLOCK),
      });
      if (values["seed-demo-hub"]) {
        const [hubId, file] = values["seed-demo-hub"].split("=", 2);
        if (!hubId || !file) throw new Error("--seed-demo-hub must be ID=FILE");
        const { seedDemo } = await import("./seed-demo.ts");
        const seed = await seedDemo(u, { hubId, hubPublicKeyPem: readFileSync(file, "utf8") });
        console.log(`seeded demo: ${JSON.stringify(seed)}`);
      }
      console.log(`offpeak utility ${u.utilityId} (${u.db.engine} store) listening on ${u.url}`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await u.close();
      return 0;
    } catch (e) {
      console.error(`offpeak utility: ${(e as Error).message}`);
      return 1;
    }
  });
}
