// Runs `offpeak clearinghouse` directly: `bun cloud-sync/clearinghouse/main.ts --help`.
import { clearinghouseCommand } from "./cli.ts";

process.exit(await clearinghouseCommand(process.argv.slice(2)));
