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

export interface CommandIo { out: (text: string) => void; err: (text: string) => void }
const CONSOLE: CommandIo = { out: (t) => console.log(t), err: (t) => console.error(t) };

/**
 * The frame of every `offpeak <command>`: parse the options (`help` is always one), print the help, and turn a
 * UsageError thrown anywhere in `run` into its message and exit code 2.
 */
export async function runCommand<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string, help: string, argv: string[], options: T,
  run: (values: ReturnType<typeof parseOptions<T & { help: { type: "boolean" } }>>) => Promise<number>,
  io: CommandIo = CONSOLE,
): Promise<number> {
  try {
    const values = parseOptions(argv, { ...options, help: { type: "boolean" as const } }, command);
    if ((values as { help?: boolean }).help) { io.out(help); return 0; }
    return await run(values);
  } catch (e) {
    if (e instanceof UsageError) { io.err(e.message); return 2; }
    throw e;
  }
}

/** A required option (or its environment variable), or a UsageError naming both. */
export function requiredOption(value: string | undefined, option: string, envName: string, command: string): string {
  if (!value) throw new UsageError(`offpeak ${command}: ${option} (or ${envName}) is required`);
  return value;
}

/**
 * A retired environment variable that is still set is a UsageError saying what replaced it (e.g. a name that meant
 * two secrets, issue 14): never silently ignored, never guessed at.
 */
export function refuseRetiredVariable(name: string, replacedBy: string, command: string): void {
  if (process.env[name] !== undefined) throw new UsageError(`offpeak ${command}: ${name} is no longer read: ${replacedBy}`);
}
