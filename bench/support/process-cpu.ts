// CPU time a set of processes used, read from /proc (Linux): what a figure costs in CPU, which unlike throughput does
// not move with the other work on a shared machine. PostgreSQL backends are found by their application_name.
import { readFileSync } from "node:fs";
import { SQL } from "bun";

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of process `pid` so far, 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** The PIDs of the PostgreSQL backends serving connections named `applicationName` (same machine only). */
export async function postgresBackends(url: string, applicationName: string): Promise<number[]> {
  const sql = new SQL(url, { max: 1 });
  try {
    const rows = (await sql.unsafe("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [applicationName])) as { pid: number }[];
    return rows.map((r) => Number(r.pid));
  } finally {
    await sql.close();
  }
}

/** CPU seconds used by `pids()` between `start()` and `stop()`; `pids` is asked at both ends (pools open lazily). */
export function cpuMeter(pids: () => Promise<number[]>): { start(): Promise<void>; stop(): Promise<number> } {
  const begin = new Map<number, number>();
  return {
    async start() {
      for (const pid of await pids()) begin.set(pid, cpuSeconds(pid));
    },
    async stop() {
      let used = 0;
      for (const pid of new Set([...begin.keys(), ...(await pids())])) used += cpuSeconds(pid) - (begin.get(pid) ?? 0);
      return used;
    },
  };
}
