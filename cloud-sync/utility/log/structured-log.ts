// The head-end's event log: one JSON object per line on stdout (or a given sink) for every intake, binding, review,
// roaming and bill event, so operators can ship it to any log store. Lines below the configured level are dropped.
// Fields are the event's facts (IDs, outcomes, amounts); never tokens, keys or signatures.

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

/** What happened: the use case's events the operations guide promises one line for. */
export type LogEvent = "listening" | "intake" | "binding" | "review" | "roaming" | "bill" | "month-close" | "account" | "request-error";

export interface StructuredLog {
  readonly level: LogLevel;
  debug(event: LogEvent, fields: Record<string, unknown>): void;
  info(event: LogEvent, fields: Record<string, unknown>): void;
  warn(event: LogEvent, fields: Record<string, unknown>): void;
  error(event: LogEvent, fields: Record<string, unknown>): void;
}

export function parseLogLevel(s: string | undefined, fallback: LogLevel = "info"): LogLevel {
  if (s === undefined || s === "") return fallback;
  if ((LOG_LEVELS as string[]).includes(s)) return s as LogLevel;
  throw new Error(`log level must be one of ${LOG_LEVELS.join(", ")}, not ${JSON.stringify(s)}`);
}

/** `now` gives the line's time (UTC seconds; the head-end's Clock, so simulated runs log simulated time). */
export function structuredLog(level: LogLevel, now: () => number, sink: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): StructuredLog {
  const write = (at: LogLevel) => (event: LogEvent, fields: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    const t = now();
    sink(JSON.stringify({ t, time: new Date(t * 1000).toISOString(), level: at, event, ...fields }));
  };
  return { level, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Drops everything (tests and in-process tools that do not want log lines). */
export const silentLog: StructuredLog = structuredLog("error", () => 0, () => undefined);
