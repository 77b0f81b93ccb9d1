// Gives the simulator's vehicle a voice: when it plugs in it opens the PEV link to the hub (S1 the first time,
// S2 with the secret it was given after that), and closes it on unplug. Demo and story-test glue only.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Clock } from "../../core/time/index.ts";
import { connectSimulatedPev, type SimulatedPevLink } from "../../drivers/pevlink/index.ts";
import type { Simulator } from "../../drivers/sim/index.ts";

export class SimPevLink {
  private link: SimulatedPevLink | null = null;
  /** Per-PEV secrets the simulated vehicles learned at commissioning, by VIN. */
  readonly secrets = new Map<string, string>();

  /**
   * `secretsFile`: where the simulated vehicles keep their per-PEV secrets, as a real car keeps them in its own memory,
   * so a restarted demo re-binds by the short path instead of failing the hub's challenge.
   */
  constructor(sim: Simulator, private readonly hub: { host: string; port: number }, private readonly clock: Clock, private readonly log: (l: string) => void, private readonly secretsFile?: string) {
    if (secretsFile && existsSync(secretsFile)) {
      try {
        for (const [vin, secret] of Object.entries(JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, string>)) this.secrets.set(vin, secret);
      } catch (e) {
        log(`sim pev: ignoring unreadable ${secretsFile}: ${(e as Error).message}`);
      }
    }
    sim.onPlugChange((plugged, pev) => {
      if (plugged && pev) void this.connect(pev.vin, pev.secretHex);
      else void this.disconnect();
    });
  }

  private async connect(vin: string, secretHex: string | undefined): Promise<void> {
    await this.disconnect();
    try {
      const link = await connectSimulatedPev({ host: this.hub.host, port: this.hub.port, vin, clock: this.clock, secretHex: secretHex ?? this.secrets.get(vin) });
      this.link = link;
      // Remember the secret handed over at commissioning, as the vehicle would.
      void link.next("confirm", 600_000).then(() => {
        if (!link.secretHex || this.secrets.get(vin) === link.secretHex) return;
        this.secrets.set(vin, link.secretHex);
        if (this.secretsFile) writeFileSync(this.secretsFile, JSON.stringify(Object.fromEntries(this.secrets)), { mode: 0o600 });
      }).catch(() => {});
    } catch (e) {
      this.log(`sim pev: could not open the PEV link: ${(e as Error).message}`);
    }
  }

  async disconnect(): Promise<void> {
    const l = this.link;
    this.link = null;
    await l?.close().catch(() => {});
  }
}
