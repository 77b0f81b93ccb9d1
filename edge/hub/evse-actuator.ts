// The one owner of the charger's output. It keeps the engine's latest desired output (enabled, current and who
// decided it), writes it serially — one write sequence at a time, the latest desire wins, never two interleaved on the
// Modbus queue — and compares what the charger reports on every poll with what it last wrote, re-applying on a
// mismatch. A detached "limit then enable" pair per command, as before, let an allow and a following hold interleave
// and leave the EVSE charging while the hub held it (issue 12).
import type { Charger, ChargerStatus } from "../../core/ports/index.ts";
import type { EvseOutput } from "../engine/types.ts";

/** What the charger did differently from what the hub wrote, for the session's events. */
export interface Divergence { desired: EvseOutput; actual: { enabled: boolean; currentLimitA: number }; reason: string }

/** Current offers closer than this count as the same (register scaling: 0.1 A, 0.001 A, float32). */
const CURRENT_TOLERANCE_A = 0.5;

export class EvseActuator {
  private desired: EvseOutput | null = null;
  /** The output the charger was last written to, completely; null while a write is due or failed. */
  private applied: EvseOutput | null = null;
  private writing: Promise<void> | null = null;
  /** Bumped at every write sequence: a status read that began before a write may show the old output. */
  private generation = 0;
  /** When the output was last written completely (monotonic ms), for a setpoint that expires unless rewritten. */
  private lastWriteMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly charger: Charger, private readonly log: (line: string) => void, private readonly monotonicMs: () => number = () => performance.now()) {}

  /**
   * Arms the charger's communication-loss fallback before anything else is written (issue 12), so a hub that dies from
   * here on leaves the charger in the state its map documents. A charger without one keeps its last output.
   */
  async armFailsafe(): Promise<void> {
    const fs = this.charger.failsafe;
    if (!fs) {
      this.log("hub: the charger has no communication-loss fallback: if the hub dies it keeps its last output");
      return;
    }
    try {
      await fs.arm();
      this.log(`hub: charger failsafe armed (${fs.describe})${fs.keepAliveMs ? `; its setpoint is rewritten every ${fs.keepAliveMs / 1000} s` : ""}`);
    } catch (e) {
      this.log(`hub: could not arm the charger's communication-loss fallback: ${(e as Error).message}`);
    }
  }

  /** The output the engine wants now. Returns when the charger holds it (or the write failed and was logged). */
  want(out: EvseOutput): Promise<void> {
    this.desired = out;
    if (this.applied && same(this.applied, out)) return this.writing ?? Promise.resolve();
    this.applied = null;
    return this.kick();
  }

  /** The engine's latest desire (for the status page and tests). */
  get target(): EvseOutput | null { return this.desired; }

  /** Resolves when no write is in progress. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Call before reading the charger's status; pass the token to observe() with what was read. */
  beginRead(): number { return this.generation; }

  /**
   * Compares a status read with the desired output. A mismatch (someone else enabled the charger, it reset, a write
   * was lost) is returned for the session's events and the desired output is written again. A read that overlapped
   * a write is not judged: it may show the output from before the write.
   */
  observe(token: number, status: ChargerStatus): Divergence | null {
    const want = this.desired;
    if (!want || this.writing || token !== this.generation) return null;
    // The last write failed (logged): try again at every poll until the charger takes it.
    if (!this.applied) { void this.kick(); return null; }
    const enabledDiffers = status.enabled !== want.enabled;
    const currentDiffers = want.enabled && status.enabled && Math.abs(status.currentLimitA - want.currentA) > CURRENT_TOLERANCE_A;
    if (!enabledDiffers && !currentDiffers) {
      // A setpoint that expires unless rewritten (Alfen) is written again before it does: not a divergence.
      const keepAlive = this.charger.failsafe?.keepAliveMs;
      if (keepAlive && this.monotonicMs() - this.lastWriteMs >= keepAlive) { this.applied = null; void this.kick(); }
      return null;
    }
    const reason = enabledDiffers
      ? `the charger is ${status.enabled ? "enabled" : "held"} but the hub wants it ${want.enabled ? "enabled" : "held"} (${want.by}: ${want.why}); written again`
      : `the charger offers ${status.currentLimitA} A but the hub wants ${want.currentA} A (${want.by}: ${want.why}); written again`;
    this.applied = null;
    void this.kick();
    return { desired: want, actual: { enabled: status.enabled, currentLimitA: status.currentLimitA }, reason };
  }

  private kick(): Promise<void> {
    if (!this.writing) {
      this.writing = this.loop().finally(() => { this.writing = null; });
    }
    return this.writing;
  }

  /** Writes until the charger holds the latest desire; a desire that changes mid-write is written next. */
  private async loop(): Promise<void> {
    for (;;) {
      const target = this.desired;
      if (!target || (this.applied && same(this.applied, target))) return;
      this.generation++;
      try {
        // Hold: one write, nothing before it. Allow: the current first, so the EVSE never offers a stale one.
        if (target.enabled) {
          await this.charger.setCurrentLimit(target.currentA);
          if (this.desired !== target) continue;
          await this.charger.setEnabled(true);
        } else {
          await this.charger.setEnabled(false);
        }
        this.generation++;
        this.lastWriteMs = this.monotonicMs();
        if (this.desired === target) this.applied = target;
      } catch (e) {
        // The next poll sees the charger's actual output and tries again; nothing is retried in a tight loop.
        this.log(`hub: could not ${target.enabled ? "enable" : "hold"} the EVSE: ${(e as Error).message}`);
        this.generation++;
        return;
      }
    }
  }
}

function same(a: EvseOutput, b: EvseOutput): boolean {
  return a.enabled === b.enabled && (!a.enabled || Math.abs(a.currentA - b.currentA) < 1e-9);
}
