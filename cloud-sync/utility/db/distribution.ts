// The head-end's distribution layout (docs/scale.md), as data the tests check the schema and every query against:
// which tables are distributed on which column, which are reference data, and the rule for queries.

/** Distributed tables and their distribution column. The premises is the key; two tables never join premises' rows. */
export const DISTRIBUTED: Readonly<Record<string, string>> = {
  sessions: "premises_id", session_keys: "premises_id", session_reviews: "premises_id", binding_grants: "premises_id",
  bindings: "premises_id", ami_intervals: "premises_id", journal_entries: "premises_id", postings: "premises_id",
  bill_postings: "premises_id", bill_entries: "premises_id", dr_reports: "premises_id", cdrs_out: "premises_id",
  // A bill covers every premises of an account; nonces belong to a hub. Neither is joined with the tables above.
  bills: "account_id", sync_nonces: "hub_id",
};

/** Reference tables: small or read-mostly, replicated to every node. */
export const REFERENCE: readonly string[] = [
  "settings", "tariffs", "programs", "customers", "accounts", "premises", "account_premises", "pevs", "enrollments", "hubs", "dr_events",
  "foreign_pevs", "roaming_tokens", "cdrs_in", "schema_migrations",
];

/** A query that may touch every shard says so, with the reason, in a comment: `-- multi-shard: <why>`. */
export const MULTI_SHARD_MARK = /--\s*multi-shard:\s*\S/;

export interface RuleViolation { table: string; alias: string; column: string; sql: string }

const TABLE_REF = /\b(FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)(?:\s+(?:AS\s+)?([a-z]\w*))?/gi;
const NOT_ALIAS = new Set(["where", "on", "set", "values", "join", "left", "inner", "order", "group", "limit", "using", "select", "as"]);

/**
 * The tables a SQL text (a statement or a fragment) reads or writes that are distributed, and whether each is filtered
 * or joined on its distribution column (`alias.col =`, `= alias.col`, `col IN (`, or the column in an INSERT's list).
 */
export function violations(sql: string): RuleViolation[] {
  if (MULTI_SHARD_MARK.test(sql)) return [];
  const out: RuleViolation[] = [];
  for (const m of sql.matchAll(TABLE_REF)) {
    const keyword = m[1]!.toUpperCase(), table = m[2]!.toLowerCase();
    const column = DISTRIBUTED[table];
    if (!column) continue;
    const rawAlias = m[3]?.toLowerCase();
    const alias = rawAlias && !NOT_ALIAS.has(rawAlias) ? rawAlias : table;
    if (keyword === "INTO") {
      const cols = new RegExp(`INTO\\s+${table}\\s*\\(([^)]*)\\)`, "i").exec(sql)?.[1] ?? "";
      if (cols.split(",").map((c) => c.trim()).includes(column)) continue;
      out.push({ table, alias, column, sql });
      continue;
    }
    const q = `(?:\\b${alias}\\.|(?<![.\\w]))${column}`;
    const filtered = new RegExp(`${q}\\s*(=|IN\\s*\\()`, "i").test(sql) || new RegExp(`=\\s*${alias}\\.${column}\\b`, "i").test(sql);
    if (!filtered) out.push({ table, alias, column, sql });
  }
  return out;
}
