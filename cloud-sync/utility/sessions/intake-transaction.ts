// What an intake transaction does first, on PostgreSQL (issue 15). SQLite has one writer and plans once per
// statement: nothing to do there.
//
// Generic plans: every intake statement is a keyed lookup or write whose best plan does not depend on the values, and
// PostgreSQL kept re-planning some of them (the union lookups, ~0.8 ms of planning each) where it judged a custom plan
// cheaper; measured in process, batch intake 612 → 804 reports/s. Set for the transaction only: binding, month close
// and the operator's lists keep PostgreSQL's own choice.
//
// One energy window, one charge (issue 13) across concurrent transactions. The overlap check reads the settled
// sessions of a PEV and of an EUMD and then writes; under READ COMMITTED two transactions taking the same energy under
// two session IDs (two batch requests at once, on one head-end worker or two) would each miss the other's uncommitted
// session and both settle. So the transaction first takes an advisory lock per PEV and per EUMD (premises, hub) it
// reports on — all at once, in hash order, so two batches never wait on each other in a cycle.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { SessionReport } from "../../protocol/index.ts";

/** The advisory-lock class of session intake (pg_advisory_xact_lock(class, key)). */
const INTAKE_LOCK_CLASS = 15;

export async function beginIntake(db: SqlStore, reports: readonly SessionReport[]): Promise<void> {
  if (db.engine !== "postgres" || reports.length === 0) return;
  await db.get("SELECT set_config('plan_cache_mode', 'force_generic_plan', true) AS plans");
  const owners = new Set<string>();
  for (const r of reports) {
    if (r.vin !== null) owners.add(`vin:${r.vin}`);
    owners.add(`eumd:${r.premisesId}:${r.hubId}`);
  }
  // The schema is part of the key: several head-ends (or tests) may share one database. The locks are taken in the
  // ORDER BY's order: PostgreSQL evaluates a volatile select-list function after the sort.
  await db.all(`SELECT pg_advisory_xact_lock(${INTAKE_LOCK_CLASS}, h) FROM (SELECT DISTINCT hashtext(current_schema() || ':' || value) AS h
    FROM json_array_elements_text(CAST(? AS text)::json)) owners ORDER BY h`, JSON.stringify([...owners]));
}
