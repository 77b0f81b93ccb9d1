// Shared rig for the OCPP tests: a central system on a loopback port and helpers to wait for real socket I/O while
// simulated time stands still (the wait is a deadline for failure, never an assertion about speed).
import { TestClock } from "../../core/time/index.ts";
import { CentralSystem, type CentralSystemOptions, type KnownChargePoint } from "./central-system.ts";

export const PASSWORD = "correct-horse-battery-1";
export const FAIL_SAFE = { fallbackLimitA: 16, heartbeatIntervalS: 300, meterValueSampleIntervalS: 10, localAuthorizeOffline: false };

export async function waitFor(what: string, cond: () => boolean, realMs = 5000): Promise<void> {
  const end = performance.now() + realMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(2);
  }
}

export function centralSystem(chargePoints: KnownChargePoint[] = [{ id: "CP1", securityProfile: 1, password: PASSWORD }], extra: Partial<CentralSystemOptions> = {}) {
  const clock = new TestClock();
  const lines: string[] = [];
  const cs = new CentralSystem({ clock, log: (l) => lines.push(l), port: 0, chargePoints, failSafe: FAIL_SAFE, callTimeoutMs: 30_000, ...extra });
  cs.start();
  return { clock, cs, lines };
}

/** A raw OCPP-J client, for sending what a well-behaved charge point never would. */
export async function rawClient(url: string, opts: { protocols?: string[]; user?: string; password?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString("base64")}`;
  const ws = new WebSocket(url, { protocols: opts.protocols ?? ["ocpp1.6"], headers } as unknown as string[]);
  const inbox: unknown[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.onmessage = (e) => inbox.push(JSON.parse(String(e.data)));
  ws.onclose = (e) => { closed = { code: e.code, reason: e.reason }; };
  const opened = await new Promise<boolean>((res) => { ws.onopen = () => res(true); ws.onerror = () => res(false); });
  return { ws, inbox, opened, get closed() { return closed; } };
}
