// Versioned schema of the head-end's SQLite store (PostgreSQL's is postgres-migrations.ts). Each migration runs once, in order, inside a transaction,
// and bumps PRAGMA user_version, so an old database file upgrades in place and a new one is built from step 1.
// Never edit a shipped migration: append a new one.

export const UTILITY_MIGRATIONS: readonly string[] = [
  // 1: enrollment, pairing, binding
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- Tariffs the operator loaded (core/tariff shape, e.g. imported from URDB); the shipped examples need no row.
  CREATE TABLE tariffs (id TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE programs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, tariff_id TEXT NOT NULL,
    interval_s INTEGER NOT NULL, comm_wait_s INTEGER NOT NULL, guest_charging TEXT NOT NULL,
    roaming_allowed INTEGER NOT NULL, offline_rebinding INTEGER NOT NULL, credential_ttl_s INTEGER NOT NULL,
    enrollment_methods TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT);
  CREATE TABLE accounts (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE);
  CREATE TABLE premises (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
    address TEXT NOT NULL, default_tariff_id TEXT NOT NULL);
  CREATE TABLE pevs (vin TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), make TEXT, model TEXT);
  CREATE TABLE enrollments (id TEXT PRIMARY KEY, vin TEXT NOT NULL REFERENCES pevs(vin),
    premises_id TEXT NOT NULL REFERENCES premises(id), program_id TEXT NOT NULL REFERENCES programs(id),
    enrolled_at INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
  CREATE UNIQUE INDEX enrollments_active ON enrollments(vin) WHERE active = 1;
  CREATE TABLE hubs (hub_id TEXT PRIMARY KEY, premises_id TEXT NOT NULL REFERENCES premises(id),
    public_key_pem TEXT NOT NULL, paired_at INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE bindings (vin TEXT NOT NULL, premises_id TEXT NOT NULL, program_id TEXT NOT NULL,
    state TEXT NOT NULL, secret TEXT NOT NULL, pev_ack_at INTEGER, eumd_ack_at INTEGER,
    issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (vin, premises_id));
  `,
  // 2: metering, sessions and the immutable double-entry ledger
  `
  CREATE TABLE ami_intervals (premises_id TEXT NOT NULL, interval_start INTEGER NOT NULL,
    interval_s INTEGER NOT NULL, energy_wh INTEGER NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (premises_id, interval_start));
  CREATE TABLE sessions (session_id TEXT NOT NULL, revision INTEGER NOT NULL, vin TEXT,
    premises_id TEXT NOT NULL, hub_id TEXT NOT NULL, status TEXT NOT NULL, settlement TEXT NOT NULL,
    binding_status TEXT NOT NULL, fallback_reason TEXT, energy_wh INTEGER NOT NULL, started_at INTEGER NOT NULL,
    ended_at INTEGER, review_reason TEXT, received_at INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (session_id, revision));
  CREATE INDEX sessions_premises ON sessions(premises_id, started_at);
  CREATE INDEX sessions_vin ON sessions(vin, started_at);
  CREATE TABLE journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, session_id TEXT,
    revision INTEGER, reverses_entry_id INTEGER REFERENCES journal_entries(id), at INTEGER NOT NULL, memo TEXT NOT NULL);
  CREATE INDEX journal_session ON journal_entries(session_id);
  CREATE TABLE postings (id INTEGER PRIMARY KEY AUTOINCREMENT, entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
    ledger_account TEXT NOT NULL, amount_nano INTEGER NOT NULL, energy_wh INTEGER NOT NULL, period TEXT NOT NULL,
    interval_start INTEGER, line_kind TEXT NOT NULL, tariff_id TEXT, price INTEGER);
  CREATE INDEX postings_account ON postings(ledger_account, interval_start);
  CREATE INDEX postings_entry ON postings(entry_id);
  -- Immutability: corrections are reversal entries, never edits.
  CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
  CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
  CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
  CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
  `,
  // 3: roaming, demand response, bills
  `
  CREATE TABLE cdrs_out (session_id TEXT PRIMARY KEY, cdr_id TEXT NOT NULL, home_utility_id TEXT NOT NULL,
    body TEXT NOT NULL, state TEXT NOT NULL, last_error TEXT, sent_at INTEGER);
  CREATE TABLE cdrs_in (cdr_id TEXT PRIMARY KEY, session_id TEXT NOT NULL UNIQUE, vin TEXT NOT NULL,
    account_id TEXT NOT NULL, body TEXT NOT NULL, entry_id INTEGER NOT NULL, received_at INTEGER NOT NULL);
  CREATE TABLE foreign_pevs (vin TEXT PRIMARY KEY, utility_id TEXT NOT NULL, checked_at INTEGER NOT NULL);
  -- Our roaming PEVs' VINs to publish at the clearinghouse (published_at NULL until it accepted them).
  CREATE TABLE roaming_tokens (vin TEXT PRIMARY KEY, published_at INTEGER);
  CREATE TABLE dr_events (id TEXT PRIMARY KEY, program_id TEXT, premises_ids TEXT, start_at INTEGER NOT NULL,
    duration_s INTEGER NOT NULL, body TEXT NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
  CREATE TABLE dr_reports (event_id TEXT NOT NULL REFERENCES dr_events(id), hub_id TEXT NOT NULL,
    premises_id TEXT NOT NULL, status TEXT NOT NULL, opt_out INTEGER NOT NULL, at INTEGER NOT NULL,
    received_at INTEGER NOT NULL);
  CREATE INDEX dr_reports_event ON dr_reports(event_id);
  CREATE TABLE bills (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, month TEXT NOT NULL, body TEXT NOT NULL,
    closed_at INTEGER NOT NULL, UNIQUE (account_id, month));
  -- Which bill carried each customer posting: every posting is billed exactly once, late corrections on the next bill.
  CREATE TABLE bill_postings (posting_id INTEGER PRIMARY KEY REFERENCES postings(id), bill_id TEXT NOT NULL REFERENCES bills(id));
  `,
  // 4: operator review of held sessions (FR-15): one decision per held revision, kept for the record
  `
  CREATE TABLE session_reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, revision INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('release', 'reject')), note TEXT NOT NULL, reviewed_by TEXT NOT NULL,
    reviewed_at INTEGER NOT NULL, held_reason TEXT, UNIQUE (session_id, revision),
    FOREIGN KEY (session_id, revision) REFERENCES sessions(session_id, revision));
  `,
  // 5: trust (issue 13). A session belongs to the hub that opened it: (hub, the hub's session name) maps to the
  // head-end's own session ID and an unguessable binding/fallback ID, kept on the session's rows (a session opened
  // at binding validation, before any report, waits in session_keys). Grants record what binding validation allowed
  // (VIN, premises, hub, status, time); each revision's energy window lets intake refuse the same energy billed
  // twice through the existing (vin, started_at) and (premises_id, started_at) indexes — no new B-tree per report.
  `
  CREATE TABLE session_keys (hub_id TEXT NOT NULL, hub_session_id TEXT NOT NULL, session_id TEXT NOT NULL UNIQUE,
    premises_id TEXT NOT NULL, binding_id TEXT NOT NULL, opened_at INTEGER NOT NULL, PRIMARY KEY (hub_id, hub_session_id)) WITHOUT ROWID;
  CREATE TABLE binding_grants (binding_id TEXT PRIMARY KEY, hub_id TEXT NOT NULL, premises_id TEXT NOT NULL, hub_session_id TEXT,
    vin TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('enrolled', 'guest', 'roaming')), payer TEXT, home_utility_id TEXT,
    program_id TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL);
  CREATE INDEX binding_grants_lookup ON binding_grants(vin, premises_id, hub_id, valid_from);
  ALTER TABLE sessions ADD COLUMN hub_session_id TEXT;
  ALTER TABLE sessions ADD COLUMN binding_id TEXT;
  ALTER TABLE sessions ADD COLUMN energy_from INTEGER;
  ALTER TABLE sessions ADD COLUMN energy_to INTEGER;
  -- The EVSE's rated power (physics before money); 19.2 kW = 80 A at 240 V, the SAE J1772 AC level 2 maximum.
  ALTER TABLE premises ADD COLUMN evse_rated_w INTEGER NOT NULL DEFAULT 19200;
  -- Since when the premises belongs to its current account: its customer sees sessions from then on only.
  ALTER TABLE premises ADD COLUMN account_since INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE enrollments ADD COLUMN ended_at INTEGER;
  `,
  // 6: issue 13 remainder. A CDR or roaming token the clearinghouse refuses (4xx) is set aside with the reason; one that failed
  // for now (5xx, unreachable) waits a growing delay. Premises intervals remember which meter and channel gave
  // them, so a re-delivery is told apart from a correction. Accounts carry their first and last days of service
  // (local dates; NULL for accounts opened before this migration: no limit known), so a bill is only for months
  // the account was open and its fixed charges are prorated to them.
  `
  ALTER TABLE cdrs_out ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE cdrs_out ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ami_intervals ADD COLUMN meter_id TEXT;
  ALTER TABLE ami_intervals ADD COLUMN source TEXT;
  ALTER TABLE accounts ADD COLUMN opened_on TEXT;
  ALTER TABLE accounts ADD COLUMN closed_on TEXT;
  -- A roaming token the clearinghouse refused for good (another utility holds the VIN): not sent again until the
  -- PEV is enrolled anew; the reason stays for the operator.
  ALTER TABLE roaming_tokens ADD COLUMN refused TEXT;
  -- What became of a sent CDR at its home utility (asked of the clearinghouse): NULL until known, then 'delivered'
  -- or 'refused' (the session was then held for review here: the host is not credited on a refused CDR).
  ALTER TABLE cdrs_out ADD COLUMN clearinghouse_id TEXT;
  ALTER TABLE cdrs_out ADD COLUMN home_outcome TEXT;
  `,
  // 7: OCPI credit CDRs (issue 14). A corrected or cancelled roaming session is settled by a credit CDR for the CDR sent
  // and a new CDR for the new revision, so a session has several CDRs out (keyed by CDR ID) and in (unique per sender
  // and OCPI CDR ID).
  `
  CREATE TABLE cdrs_out_v7 (cdr_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, home_utility_id TEXT NOT NULL,
    body TEXT NOT NULL, state TEXT NOT NULL, last_error TEXT, sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, clearinghouse_id TEXT,
    home_outcome TEXT, credit_of TEXT, credited_by TEXT);
  INSERT INTO cdrs_out_v7 (cdr_id, session_id, home_utility_id, body, state, last_error, sent_at, attempts,
    next_attempt_at, clearinghouse_id, home_outcome)
    SELECT cdr_id, session_id, home_utility_id, body, state, last_error, sent_at, attempts, next_attempt_at,
      clearinghouse_id, home_outcome FROM cdrs_out;
  DROP TABLE cdrs_out;
  ALTER TABLE cdrs_out_v7 RENAME TO cdrs_out;
  CREATE INDEX cdrs_out_session ON cdrs_out(session_id);
  CREATE INDEX cdrs_out_state ON cdrs_out(state);
  CREATE TABLE cdrs_in_v7 (cdr_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, vin TEXT NOT NULL,
    account_id TEXT NOT NULL, body TEXT NOT NULL, entry_id INTEGER NOT NULL, received_at INTEGER NOT NULL,
    from_utility_id TEXT NOT NULL DEFAULT '', ocpi_cdr_id TEXT NOT NULL DEFAULT '');
  INSERT INTO cdrs_in_v7 (cdr_id, session_id, vin, account_id, body, entry_id, received_at, ocpi_cdr_id)
    SELECT cdr_id, session_id, vin, account_id, body, entry_id, received_at, cdr_id FROM cdrs_in;
  DROP TABLE cdrs_in;
  ALTER TABLE cdrs_in_v7 RENAME TO cdrs_in;
  CREATE UNIQUE INDEX cdrs_in_sender ON cdrs_in(from_utility_id, ocpi_cdr_id);
  -- The home utility's OCPI party as the clearinghouse answered it (CC*PID): the cdr_token's party in our CDRs.
  ALTER TABLE foreign_pevs ADD COLUMN ocpi_party TEXT;
  `,
  // 8: replay-protection nonces, until now created by the protocol's SqliteNonceStore at start; a migration of their
  // own now that the head-end's store may be PostgreSQL (IF NOT EXISTS: databases written before have the table).
  `
  CREATE TABLE IF NOT EXISTS sync_nonces (hub_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (hub_id, nonce)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sync_nonces_expiry ON sync_nonces (expires_at);
  `,
  // 9: the premises is the distribution key (docs/scale.md). Ledger entries and postings, reviews, outgoing CDRs and
  // billed-posting marks carry the premises they belong to, and every lookup names it; a posting's booked_at (its
  // interval start, else its entry's time) is what bills and the PostgreSQL month partitions go by. A guest-pays
  // session books the guest's debit at the guest's home premises (payer_premises_id). Backfilled from the rows they
  // belong to; the immutability triggers are lifted for the backfill and put back.
  `
  DROP TRIGGER journal_entries_no_update; DROP TRIGGER postings_no_update;
  ALTER TABLE journal_entries ADD COLUMN premises_id TEXT;
  ALTER TABLE postings ADD COLUMN premises_id TEXT;
  ALTER TABLE postings ADD COLUMN booked_at INTEGER;
  ALTER TABLE sessions ADD COLUMN payer_premises_id TEXT;
  ALTER TABLE session_reviews ADD COLUMN premises_id TEXT;
  ALTER TABLE bill_postings ADD COLUMN premises_id TEXT;
  ALTER TABLE bill_postings ADD COLUMN booked_at INTEGER;
  ALTER TABLE cdrs_out ADD COLUMN premises_id TEXT;
  UPDATE journal_entries SET premises_id = (SELECT s.premises_id FROM sessions s WHERE s.session_id = journal_entries.session_id LIMIT 1)
    WHERE session_id IS NOT NULL;
  UPDATE journal_entries SET premises_id = substr(memo, 23) WHERE premises_id IS NULL AND memo LIKE 'fixed charges %';
  UPDATE journal_entries SET premises_id = (SELECT p.id FROM cdrs_in c JOIN premises p ON p.account_id = c.account_id
    WHERE c.entry_id = journal_entries.id ORDER BY p.id LIMIT 1) WHERE premises_id IS NULL AND kind = 'clearinghouse-cdr';
  UPDATE journal_entries SET premises_id = (SELECT o.premises_id FROM journal_entries o WHERE o.id = journal_entries.reverses_entry_id)
    WHERE premises_id IS NULL AND reverses_entry_id IS NOT NULL;
  UPDATE postings SET premises_id = (SELECT e.premises_id FROM journal_entries e WHERE e.id = postings.entry_id),
    booked_at = COALESCE(interval_start, (SELECT e.at FROM journal_entries e WHERE e.id = postings.entry_id));
  UPDATE session_reviews SET premises_id = (SELECT s.premises_id FROM sessions s WHERE s.session_id = session_reviews.session_id LIMIT 1);
  UPDATE bill_postings SET premises_id = (SELECT p.premises_id FROM postings p WHERE p.id = bill_postings.posting_id),
    booked_at = (SELECT p.booked_at FROM postings p WHERE p.id = bill_postings.posting_id);
  UPDATE cdrs_out SET premises_id = (SELECT s.premises_id FROM sessions s WHERE s.session_id = cdrs_out.session_id LIMIT 1);
  CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
  CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
  DROP INDEX journal_session;
  CREATE INDEX journal_premises_session ON journal_entries(premises_id, session_id);
  CREATE INDEX journal_premises_reverses ON journal_entries(premises_id, reverses_entry_id);
  DROP INDEX postings_entry;
  CREATE INDEX postings_premises_entry ON postings(premises_id, entry_id);
  -- No (premises_id, ledger_account, booked_at) index here: postings_account serves an account's postings, and one
  -- more B-tree per posting costs SQLite intake more than it saves bills (PostgreSQL has it).
  CREATE INDEX bill_postings_premises ON bill_postings(premises_id, posting_id);
  -- Several CDRs per session since 7 (credit CDRs): a session's CDRs are found by premises and session.
  DROP INDEX cdrs_out_session;
  CREATE INDEX cdrs_out_premises_session ON cdrs_out(premises_id, session_id);
  -- The order CDRs were queued in (a credit CDR goes out before the replacement queued after it), named so both
  -- engines order by it (PostgreSQL has no rowid): the rowid, set by a trigger on insert.
  ALTER TABLE cdrs_out ADD COLUMN seq INTEGER;
  UPDATE cdrs_out SET seq = rowid;
  CREATE TRIGGER cdrs_out_seq AFTER INSERT ON cdrs_out WHEN NEW.seq IS NULL BEGIN UPDATE cdrs_out SET seq = NEW.rowid WHERE rowid = NEW.rowid; END;
  -- Every premises an account ever held: an account's postings stay at the premises they were made at after it moves.
  CREATE TABLE account_premises (account_id TEXT NOT NULL, premises_id TEXT NOT NULL, since INTEGER NOT NULL,
    PRIMARY KEY (account_id, premises_id)) WITHOUT ROWID;
  INSERT INTO account_premises (account_id, premises_id, since) SELECT account_id, id, account_since FROM premises;
  `,
  // 10: issue 16 item 7. A premises may have several charge points: a session names the one it ran on and the EUMD
  // that metered it (NULL: a hub with one charger, or one older than the field).
  `
  ALTER TABLE sessions ADD COLUMN charge_point TEXT;
  ALTER TABLE sessions ADD COLUMN eumd_id TEXT;
  `,
  // 11: issue 15. The program that governs a premises is read on every report, binding and hub config; without this
  // index (PostgreSQL's migration 1 has it) SQLite walked every active enrollment to find the premises' own.
  `
  CREATE INDEX enrollments_premises ON enrollments(premises_id) WHERE active = 1;
  `,
  // 12: issue 15, month close at volume. Billed postings are marked per journal entry, not per posting: a bill marks
  // each entry it took postings of with the range of booked_at it billed, [billed_from, billed_before) on one customer
  // ledger account; a posting is billed when a mark of its entry and account has billed_before past its booked_at
  // (a bill takes every unbilled posting booked before its month's end, and an entry's postings never change, so an
  // entry's billed postings are always those booked before its latest mark). One row per session and bill instead of
  // one per interval. billed_from (the first booked_at billed) is in the key: two closes that would bill the same
  // postings of an entry collide there, as two marks of one posting did. bill_postings is carried over (a mark per
  // entry and bill, up to the last posting it billed) and dropped.
  `
  CREATE TABLE bill_entries (premises_id TEXT NOT NULL, entry_id INTEGER NOT NULL, ledger_account TEXT NOT NULL,
    billed_from INTEGER NOT NULL, billed_before INTEGER NOT NULL, bill_id TEXT NOT NULL,
    PRIMARY KEY (premises_id, entry_id, ledger_account, billed_from)) WITHOUT ROWID;
  INSERT INTO bill_entries (premises_id, entry_id, ledger_account, billed_from, billed_before, bill_id)
    SELECT p.premises_id, p.entry_id, p.ledger_account, MIN(p.booked_at), MAX(p.booked_at) + 1, b.bill_id
    FROM bill_postings b JOIN postings p ON p.id = b.posting_id
    GROUP BY p.premises_id, p.entry_id, p.ledger_account, b.bill_id;
  DROP TABLE bill_postings;
  `,
];
