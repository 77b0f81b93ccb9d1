// Rules for the engine's settings that the use case fixes, checked wherever a value enters:
// the config file, the utility's pushed configuration, and the parameters of a binding.

/** NFR-3: the PEV waits at least one minute for the communications session before charging starts. */
export const MIN_COMM_WAIT_S = 60;
export const DEFAULT_COMM_WAIT_S = 60;
export const DEFAULT_INTERVAL_S = 900;

export class SettingError extends Error {
  constructor(readonly key: string, detail: string) {
    super(`${key}: ${detail}`);
    this.name = "SettingError";
  }
}

export function checkCommWait(seconds: number, key = "commWaitS"): number {
  if (!Number.isInteger(seconds)) throw new SettingError(key, `must be a whole number of seconds, got ${seconds}`);
  if (seconds < MIN_COMM_WAIT_S) {
    throw new SettingError(key, `${seconds} s is below the ${MIN_COMM_WAIT_S} s minimum the PEV must wait for the utility (NFR-3)`);
  }
  if (seconds > 3600) throw new SettingError(key, `${seconds} s is longer than an hour; the vehicle would wait too long to charge`);
  return seconds;
}

/** Interval lengths must divide an hour evenly, so intervals align to UTC boundaries and to tariff hours. */
export function checkIntervalLength(seconds: number, key = "intervalS"): number {
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 3600 || 3600 % seconds !== 0) {
    throw new SettingError(key, `${seconds} s is not an interval length: use whole seconds from 60 to 3600 that divide an hour (60, 300, 900, 1800, 3600 ...)`);
  }
  return seconds;
}
