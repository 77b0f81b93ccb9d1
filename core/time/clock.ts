// A Clock gives both wall time (UTC, may jump when NTP corrects it) and a monotonic time for timers
// (never jumps). Everything that waits or stamps takes a Clock, so tests and the simulator can run
// time faster than real: TestClock is advanced by hand, ScaledClock runs N times faster than real.
import { fromMillis, type UtcSeconds } from "./utc.ts";

export interface TimerHandle { readonly id: number }

export interface Clock {
  /** Wall time in whole UTC seconds (NFR-1). */
  now(): UtcSeconds;
  /** Wall time in milliseconds since the epoch, for sub-second needs (latency, SSE). */
  nowMs(): number;
  /** Monotonic milliseconds from an arbitrary origin: for durations and deadlines. */
  monotonicMs(): number;
  /** Calls fn after `ms` of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  sleep(ms: number): Promise<void>;
}

export class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  now(): UtcSeconds { return fromMillis(Date.now()); }
  nowMs(): number { return Date.now(); }
  monotonicMs(): number { return performance.now(); }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setTimeout(() => { this.timers.delete(id); fn(); }, Math.max(0, ms)));
    return { id };
  }
  clearTimeout(h: TimerHandle): void {
    const t = this.timers.get(h.id);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(h.id);
  }
  sleep(ms: number): Promise<void> { return new Promise((r) => this.setTimeout(r, ms)); }
}

/**
 * Simulated time running `speed` times faster than real — what `npm start -- --speed 60` uses. Anchored to a
 * (real, simulated) pair of epoch milliseconds, so a restarted process can continue the same simulated timeline.
 * Timers are real timers of length ms/speed.
 */
export class ScaledClock implements Clock {
  private readonly real = new RealClock();
  constructor(readonly speed: number, readonly anchor: { realMs: number; simMs: number } = { realMs: Date.now(), simMs: Date.now() }) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`invalid clock speed ${speed}: must be a positive number`);
  }
  monotonicMs(): number { return this.real.monotonicMs() * this.speed; }
  nowMs(): number { return Math.floor(this.anchor.simMs + (Date.now() - this.anchor.realMs) * this.speed); }
  now(): UtcSeconds { return fromMillis(this.nowMs()); }
  setTimeout(fn: () => void, ms: number): TimerHandle { return this.real.setTimeout(fn, ms / this.speed); }
  clearTimeout(h: TimerHandle): void { this.real.clearTimeout(h); }
  sleep(ms: number): Promise<void> { return new Promise((r) => this.setTimeout(r, ms)); }
}

interface PendingTimer { id: number; at: number; seq: number; fn: () => void }

/** A clock that moves only when told to. Timers fire in deadline order, during advance(). */
export class TestClock implements Clock {
  private mono = 0;
  private wallMs: number;
  private nextId = 1;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startUtcMs: number = Date.UTC(2024, 5, 3, 7, 0, 0)) { this.wallMs = startUtcMs; }

  now(): UtcSeconds { return fromMillis(this.wallMs); }
  nowMs(): number { return this.wallMs; }
  monotonicMs(): number { return this.mono; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.mono + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }
  clearTimeout(h: TimerHandle): void { this.timers = this.timers.filter((t) => t.id !== h.id); }
  sleep(ms: number): Promise<void> { return new Promise((r) => this.setTimeout(r, ms)); }

  /** Moves time forward by `ms`, firing every timer that falls due, each at its own moment. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const due = this.timers[0];
      if (!due || due.at > target) break;
      this.timers.shift();
      this.wallMs += due.at - this.mono;
      this.mono = due.at;
      due.fn();
    }
    this.wallMs += target - this.mono;
    this.mono = target;
  }

  /** Like advance, but lets promises settle between timers (for code that awaits sleep()). */
  async advanceAsync(ms: number, stepMs = 1000): Promise<void> {
    let left = ms;
    while (left > 0) {
      const step = Math.min(stepMs, left);
      this.advance(step);
      left -= step;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Steps wall time without moving the monotonic clock, as an NTP correction would. */
  jumpWall(ms: number): void { this.wallMs += ms; }
  pendingTimers(): number { return this.timers.length; }
}

/**
 * The clock a process should run on. `spec` is the OFFPEAK_SIM_CLOCK setting, "speed,anchorRealMs,anchorSimMs":
 * several processes given the same spec share one simulated timeline (the story test, accelerated demos), so their
 * signed timestamps and interval boundaries agree. Without a spec: real time, or `speed` times faster from now.
 */
export function processClock(spec: string | undefined, speed = 1): Clock {
  if (spec) {
    const parts = spec.split(",").map(Number);
    const [s, realMs, simMs] = parts;
    if (parts.length !== 3 || !parts.every(Number.isFinite) || !(s! > 0)) {
      throw new RangeError(`invalid OFFPEAK_SIM_CLOCK ${JSON.stringify(spec)}: expected "speed,anchorRealMs,anchorSimMs", e.g. "60,${Date.now()},${Date.UTC(2024, 5, 30)}"`);
    }
    return new ScaledClock(s!, { realMs: realMs!, simMs: simMs! });
  }
  return speed === 1 ? new RealClock() : new ScaledClock(speed);
}
