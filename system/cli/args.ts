// Shared option parsing for the CLI commands: unknown options are errors that name the option.
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`offpeak ${command}: ${(e as Error).message.replace(/\. To specify.*$/s, "")}; see 'offpeak ${command} --help'`);
  }
}
