// The clearinghouse's schema on an existing database: one at version 3 (utility signing keys, signed token changes)
// upgrades to 4 (credit CDRs, OCPI parties) keeping every row. Real SQLite files.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "../../core/storage/index.ts";
import { CLEARINGHOUSE_MIGRATIONS } from "./migrations.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-ch-migrations-"));

test("issue 14: a clearinghouse database at version 3 upgrades to 4 keeping its CDRs (dead-lettered ones too), utility keys and signed token changes", () => {
  const path = join(dir, "ch.db");
  const db = new Database(path, { create: true, strict: true });
  assert.is(applyMigrations(db, path, CLEARINGHOUSE_MIGRATIONS.slice(0, 3)), 3);
  db.query("INSERT INTO utilities (utility_id, base_url, token_hash, token, registered_at, public_key_pem) VALUES ('UTIL-A', 'http://a', 'h', 't', 1, 'PEM-A')").run();
  db.query(`INSERT INTO cdrs (id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, attempts, last_error, received_at, delivered_at, next_attempt_at)
    VALUES ('ch-1', 'S-1', 'CDR-S-1', 'UTIL-A', 'UTIL-B', '{}', 'dead', 1, 'HTTP 422', 10, NULL, 0)`).run();
  db.query("INSERT INTO token_changes (vin, utility_id, action, signed_at, nonce, signature, received_at) VALUES ('VIN', 'UTIL-A', 'put', 1, 'n', 's', 2)").run();
  db.close();

  const up = new Database(path, { strict: true });
  assert.is(applyMigrations(up, path, CLEARINGHOUSE_MIGRATIONS), CLEARINGHOUSE_MIGRATIONS.length);
  assert.equal(up.query("SELECT id, session_id, state, attempts, last_error, credit_of FROM cdrs").all(), [{ id: "ch-1", session_id: "S-1", state: "dead", attempts: 1, last_error: "HTTP 422", credit_of: null }]);
  assert.equal(up.query("SELECT utility_id, public_key_pem, ocpi_party FROM utilities").all(), [{ utility_id: "UTIL-A", public_key_pem: "PEM-A", ocpi_party: null }]);
  assert.is((up.query("SELECT COUNT(*) AS n FROM token_changes").get() as { n: number }).n, 1);
  // Several CDRs per session (a credit and its replacement), one per sender and OCPI CDR ID.
  up.query(`INSERT INTO cdrs (id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, received_at, credit_of) VALUES ('ch-2', 'S-1', 'CDR-S-1-C', 'UTIL-A', 'UTIL-B', '{}', 'pending', 11, 'ch-1')`).run();
  assert.throws(() => up.query(`INSERT INTO cdrs (id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, received_at) VALUES ('ch-3', 'S-1', 'CDR-S-1', 'UTIL-A', 'UTIL-B', '{}', 'pending', 12)`).run(), /UNIQUE/);
  up.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
