// The tariffs the head-end prices with: ones the operator loaded (stored as core/tariff JSON, validated on load)
// and core/tariff's shipped examples. All pricing goes through core/tariff; nothing here computes a rate.
import type { SqlStore } from "../../../core/storage/index.ts";
import { EXAMPLE_TARIFFS, tariffById, validateTariff, type Tariff } from "../../../core/tariff/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import { WorkerCache, type WorkerCacheOptions } from "../worker-cache.ts";

export class TariffCatalog {
  // core/tariff caches compiled tariffs by object identity, so each tariff version is parsed once and kept.
  private readonly loaded = new Map<string, { body: string | null; tariff: Tariff }>();
  // When each was last read: re-read after 5 s (worker-cache.ts), so a tariff changed through another head-end worker
  // prices here within that bound.
  private readonly fresh: WorkerCache<string, true>;

  constructor(private readonly db: SqlStore, private readonly clock: Clock, cache: WorkerCacheOptions = {}) {
    this.fresh = new WorkerCache(cache);
  }

  /** A tariff already read (or shipped) without a round trip: what pricing uses after `get` loaded it. */
  cached(id: string): Tariff | null {
    return this.loaded.get(id)?.tariff ?? null;
  }

  async get(id: string): Promise<Tariff | null> {
    const hit = this.loaded.get(id);
    if (hit && this.fresh.peek(id)) return hit.tariff;
    const row = await this.db.get<{ body: string }>("SELECT body FROM tariffs WHERE id = ?", id);
    const body = row?.body ?? null;
    let t: Tariff | null;
    if (hit && hit.body === body) {
      t = hit.tariff; // unchanged: the same object, so its compiled form is reused
    } else if (body !== null) {
      t = JSON.parse(body) as Tariff;
    } else {
      try {
        t = tariffById(id) ?? null;
      } catch {
        t = null;
      }
    }
    if (!t) {
      this.loaded.delete(id);
      return null;
    }
    this.loaded.set(id, { body, tariff: t });
    this.fresh.set(id, true);
    return t;
  }

  /** Stores an operator-supplied tariff after core/tariff validates it (throws TariffError naming the field). */
  async put(t: Tariff): Promise<Tariff> {
    validateTariff(t);
    await this.db.run(`INSERT INTO tariffs (id, body, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, t.id, JSON.stringify(t), this.clock.now());
    this.loaded.set(t.id, { body: JSON.stringify(t), tariff: t });
    this.fresh.set(t.id, true);
    return t;
  }

  async ids(): Promise<string[]> {
    const own = (await this.db.all<{ id: string }>("SELECT id FROM tariffs ORDER BY id")).map((r) => r.id);
    const examples = Object.values(EXAMPLE_TARIFFS as Record<string, Tariff>).map((t) => t.id);
    return [...new Set([...own, ...examples])];
  }
}
