// Plays the utility's own AMI network for the demo: the simulator's premises meter is read every interval and its
// energy posted to the head-end's AMI intake, where load correlation (FR-15) uses it.
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { intervalStart, type UtcSeconds } from "../../core/time/index.ts";

export interface AmiFeedOptions {
  clock: Clock;
  readWh: () => number;
  utilityUrl: string;
  operatorToken: string;
  utilityId: string;
  premisesId: string;
  intervalS: number;
  log: (l: string) => void;
}

export class AmiFeed {
  private timer: TimerHandle | null = null;
  private last: { start: number; wh: number; partial: boolean } | null = null;
  private pending: { start: number; lengthS: number; wh: number; quality: "ok" }[] = [];

  constructor(private readonly o: AmiFeedOptions) {}

  start(): void {
    const now = this.o.clock.now();
    this.last = { start: intervalStart(now, this.o.intervalS), wh: Math.floor(this.o.readWh()), partial: true };
    this.schedule();
  }

  private schedule(): void {
    const nowMs = this.o.clock.nowMs();
    const next = (intervalStart(Math.floor(nowMs / 1000) as UtcSeconds, this.o.intervalS) + this.o.intervalS) * 1000;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), next - nowMs + 50);
  }

  private async tick(): Promise<void> {
    const start = intervalStart(this.o.clock.now(), this.o.intervalS);
    const wh = Math.floor(this.o.readWh());
    if (this.last && start > this.last.start) {
      // The feed's first interval started part-way: a real AMI meter would have all of it, so it is not sent.
      if (!this.last.partial) this.pending.push({ start: this.last.start, lengthS: this.o.intervalS, wh: Math.max(0, wh - this.last.wh), quality: "ok" });
      this.last = { start, wh, partial: false };
    }
    if (this.pending.length) await this.send();
    this.schedule();
  }

  private async send(): Promise<void> {
    const body = { v: 1, utilityId: this.o.utilityId, premisesId: this.o.premisesId, meterId: `AMI-${this.o.premisesId}`.slice(0, 64), source: "ami", intervals: this.pending };
    try {
      const r = await fetch(`${this.o.utilityUrl}/v1/ami/intervals`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${this.o.operatorToken}` }, body: JSON.stringify(body) });
      if (r.ok) this.pending = [];
      else this.o.log(`ami feed: utility answered ${r.status}: ${await r.text()}`);
    } catch (e) {
      this.o.log(`ami feed: ${(e as Error).message}; will resend with the next interval`);
    }
  }

  stop(): void { if (this.timer) this.o.clock.clearTimeout(this.timer); }
}
