// Runs `offpeak utility` directly: `bun cloud-sync/utility/main.ts --help`.
import { utilityCommand } from "./cli.ts";

process.exit(await utilityCommand(process.argv.slice(2)));
