// Command-line options of every `offpeak` program: unknown or malformed options are usage errors that name the
// option and point at --help; port numbers are checked once, here.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in how the command was called: the program prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`offpeak ${command}: ${(e as Error).message.replace(/\. To specify.*$/s, "")}; see 'offpeak ${command} --help'`);
  }
}

/** `--name` as a TCP port (0 = any free port), or `dflt` when absent. */
export function portOption(raw: string | undefined, dflt: number, command: string, name = "port"): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new UsageError(`offpeak ${command}: --${name} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
  return n;
}
