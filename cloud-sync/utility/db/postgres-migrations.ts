// Versioned schema of the head-end's PostgreSQL store, made to be distributed (docs/scale.md): the same tables and
// columns as the SQLite schema (migrations.ts, versions 1-12), with
//  - the premises as distribution key in the primary key of every large table and in every foreign key between them
//    (sync_nonces by hub, bills by account: they never join the premises' tables);
//  - ami_intervals and postings range-partitioned by UTC month (interval_start, booked_at), partitions made ahead by
//    the head-end (offpeak_month_partitions, called at start and daily) and a DEFAULT partition so an interval far in
//    the past or future is still stored;
//  - the enrollment registry and other small or read-mostly tables as reference data.
// BIGINT for every integer (seconds, Wh, nano-USD); PL/pgSQL triggers keep the ledger immutable. Applied by
// core/storage's PostgresStore (table schema_migrations). Never edit a shipped migration: append a new one.

export const UTILITY_PG_MIGRATIONS: readonly string[] = [
  // 1: the schema of SQLite versions 1-9, distributed by premises
  `
  -- Reference data (replicated to every node on Citus)
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE tariffs (id TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at BIGINT NOT NULL);
  CREATE TABLE programs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, tariff_id TEXT NOT NULL,
    interval_s BIGINT NOT NULL, comm_wait_s BIGINT NOT NULL, guest_charging TEXT NOT NULL,
    roaming_allowed INTEGER NOT NULL, offline_rebinding INTEGER NOT NULL, credential_ttl_s BIGINT NOT NULL,
    enrollment_methods TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT);
  CREATE TABLE accounts (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, opened_on TEXT, closed_on TEXT);
  CREATE TABLE premises (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
    address TEXT NOT NULL, default_tariff_id TEXT NOT NULL, evse_rated_w BIGINT NOT NULL DEFAULT 19200,
    account_since BIGINT NOT NULL DEFAULT 0);
  CREATE INDEX premises_account ON premises(account_id);
  -- Every premises an account ever held: its postings stay at the premises they were made at after it moves.
  CREATE TABLE account_premises (account_id TEXT NOT NULL, premises_id TEXT NOT NULL, since BIGINT NOT NULL,
    PRIMARY KEY (account_id, premises_id));
  CREATE TABLE pevs (vin TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), make TEXT, model TEXT);
  CREATE INDEX pevs_account ON pevs(account_id);
  CREATE TABLE enrollments (id TEXT PRIMARY KEY, vin TEXT NOT NULL REFERENCES pevs(vin),
    premises_id TEXT NOT NULL REFERENCES premises(id), program_id TEXT NOT NULL REFERENCES programs(id),
    enrolled_at BIGINT NOT NULL, active INTEGER NOT NULL DEFAULT 1, ended_at BIGINT);
  CREATE UNIQUE INDEX enrollments_active ON enrollments(vin) WHERE active = 1;
  CREATE INDEX enrollments_premises ON enrollments(premises_id) WHERE active = 1;
  CREATE TABLE hubs (hub_id TEXT PRIMARY KEY, premises_id TEXT NOT NULL REFERENCES premises(id),
    public_key_pem TEXT NOT NULL, paired_at BIGINT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
  CREATE TABLE dr_events (id TEXT PRIMARY KEY, program_id TEXT, premises_ids TEXT, start_at BIGINT NOT NULL,
    duration_s BIGINT NOT NULL, body TEXT NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);
  CREATE TABLE foreign_pevs (vin TEXT PRIMARY KEY, utility_id TEXT NOT NULL, checked_at BIGINT NOT NULL, ocpi_party TEXT);
  CREATE TABLE roaming_tokens (vin TEXT PRIMARY KEY, published_at BIGINT, refused TEXT);
  -- CDRs received: several per session (credit CDRs, SQLite 7), unique per sender and OCPI CDR ID.
  CREATE TABLE cdrs_in (cdr_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, vin TEXT NOT NULL,
    account_id TEXT NOT NULL, body TEXT NOT NULL, entry_id BIGINT NOT NULL, received_at BIGINT NOT NULL,
    from_utility_id TEXT NOT NULL DEFAULT '', ocpi_cdr_id TEXT NOT NULL DEFAULT '');
  CREATE UNIQUE INDEX cdrs_in_sender ON cdrs_in(from_utility_id, ocpi_cdr_id);

  -- Distributed by premises_id
  CREATE TABLE bindings (premises_id TEXT NOT NULL, vin TEXT NOT NULL, program_id TEXT NOT NULL,
    state TEXT NOT NULL, secret TEXT NOT NULL, pev_ack_at BIGINT, eumd_ack_at BIGINT,
    issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (premises_id, vin));
  CREATE INDEX bindings_vin ON bindings(vin);
  CREATE TABLE binding_grants (premises_id TEXT NOT NULL, binding_id TEXT NOT NULL, hub_id TEXT NOT NULL, hub_session_id TEXT,
    vin TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('enrolled', 'guest', 'roaming')), payer TEXT, home_utility_id TEXT,
    program_id TEXT NOT NULL, valid_from BIGINT NOT NULL, valid_until BIGINT NOT NULL, PRIMARY KEY (premises_id, binding_id));
  CREATE INDEX binding_grants_lookup ON binding_grants(premises_id, vin, hub_id, valid_from);
  CREATE TABLE sessions (premises_id TEXT NOT NULL, session_id TEXT NOT NULL, revision BIGINT NOT NULL, vin TEXT,
    hub_id TEXT NOT NULL, status TEXT NOT NULL, settlement TEXT NOT NULL,
    binding_status TEXT NOT NULL, fallback_reason TEXT, energy_wh BIGINT NOT NULL, started_at BIGINT NOT NULL,
    ended_at BIGINT, review_reason TEXT, received_at BIGINT NOT NULL, body TEXT NOT NULL,
    hub_session_id TEXT, binding_id TEXT, energy_from BIGINT, energy_to BIGINT, payer_premises_id TEXT,
    PRIMARY KEY (premises_id, session_id, revision));
  CREATE INDEX sessions_premises ON sessions(premises_id, started_at);
  CREATE INDEX sessions_vin ON sessions(vin, started_at);
  CREATE INDEX sessions_id ON sessions(session_id);
  CREATE TABLE session_keys (premises_id TEXT NOT NULL, hub_id TEXT NOT NULL, hub_session_id TEXT NOT NULL, session_id TEXT NOT NULL,
    binding_id TEXT NOT NULL, opened_at BIGINT NOT NULL, PRIMARY KEY (premises_id, hub_id, hub_session_id), UNIQUE (premises_id, session_id));
  CREATE INDEX session_keys_id ON session_keys(session_id);
  CREATE TABLE session_reviews (premises_id TEXT NOT NULL, id BIGINT GENERATED BY DEFAULT AS IDENTITY, session_id TEXT NOT NULL,
    revision BIGINT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('release', 'reject')), note TEXT NOT NULL, reviewed_by TEXT NOT NULL,
    reviewed_at BIGINT NOT NULL, held_reason TEXT, PRIMARY KEY (premises_id, id), UNIQUE (premises_id, session_id, revision),
    FOREIGN KEY (premises_id, session_id, revision) REFERENCES sessions(premises_id, session_id, revision));
  CREATE TABLE dr_reports (premises_id TEXT NOT NULL, event_id TEXT NOT NULL REFERENCES dr_events(id), hub_id TEXT NOT NULL,
    status TEXT NOT NULL, opt_out INTEGER NOT NULL, at BIGINT NOT NULL, received_at BIGINT NOT NULL,
    PRIMARY KEY (premises_id, event_id, hub_id, status));
  CREATE INDEX dr_reports_event ON dr_reports(event_id);
  -- (SQLite keys it by cdr_id alone; intake inserts with ON CONFLICT DO NOTHING, which both engines take.)
  -- Several CDRs per session (a credit CDR for the one sent, a new one for a new revision: SQLite 7), keyed by CDR ID.
  CREATE TABLE cdrs_out (premises_id TEXT NOT NULL, session_id TEXT NOT NULL, cdr_id TEXT NOT NULL, home_utility_id TEXT NOT NULL,
    body TEXT NOT NULL, state TEXT NOT NULL, last_error TEXT, sent_at BIGINT, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0, clearinghouse_id TEXT, home_outcome TEXT, credit_of TEXT, credited_by TEXT,
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY, -- the order CDRs were queued in (SQLite: its rowid)
    PRIMARY KEY (premises_id, cdr_id));
  CREATE INDEX cdrs_out_premises_session ON cdrs_out(premises_id, session_id);
  CREATE INDEX cdrs_out_pending ON cdrs_out(session_id) WHERE state = 'pending';

  -- Metering: by premises, partitioned by UTC month of the interval
  CREATE TABLE ami_intervals (premises_id TEXT NOT NULL, interval_start BIGINT NOT NULL,
    interval_s BIGINT NOT NULL, energy_wh BIGINT NOT NULL, received_at BIGINT NOT NULL, meter_id TEXT, source TEXT,
    PRIMARY KEY (premises_id, interval_start)) PARTITION BY RANGE (interval_start);
  CREATE TABLE ami_intervals_default PARTITION OF ami_intervals DEFAULT;

  -- The ledger: entries by premises; postings by premises, partitioned by UTC month of booked_at
  CREATE TABLE journal_entries (premises_id TEXT NOT NULL, id BIGINT GENERATED BY DEFAULT AS IDENTITY, kind TEXT NOT NULL,
    session_id TEXT, revision BIGINT, reverses_entry_id BIGINT, at BIGINT NOT NULL, memo TEXT NOT NULL,
    PRIMARY KEY (premises_id, id), FOREIGN KEY (premises_id, reverses_entry_id) REFERENCES journal_entries(premises_id, id));
  CREATE INDEX journal_premises_session ON journal_entries(premises_id, session_id);
  CREATE INDEX journal_premises_reverses ON journal_entries(premises_id, reverses_entry_id);
  -- Identity columns on partitioned tables need PostgreSQL 17; a sequence serves 15.
  CREATE SEQUENCE postings_id_seq;
  CREATE TABLE postings (premises_id TEXT NOT NULL, id BIGINT NOT NULL DEFAULT nextval('postings_id_seq'), entry_id BIGINT NOT NULL,
    ledger_account TEXT NOT NULL, amount_nano BIGINT NOT NULL, energy_wh BIGINT NOT NULL, period TEXT NOT NULL,
    interval_start BIGINT, booked_at BIGINT NOT NULL, line_kind TEXT NOT NULL, tariff_id TEXT, price BIGINT,
    PRIMARY KEY (premises_id, booked_at, id),
    FOREIGN KEY (premises_id, entry_id) REFERENCES journal_entries(premises_id, id)) PARTITION BY RANGE (booked_at);
  CREATE TABLE postings_default PARTITION OF postings DEFAULT;
  CREATE INDEX postings_premises_entry ON postings(premises_id, entry_id);
  CREATE INDEX postings_premises_account ON postings(premises_id, ledger_account, booked_at);
  -- Immutability: corrections are reversal entries, never edits.
  CREATE FUNCTION offpeak_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% are immutable', TG_ARGV[0]; END $$;
  CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION offpeak_immutable('journal entries');
  CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION offpeak_immutable('postings');
  -- No foreign key to postings: checking one against the month-partitioned postings cost ~80 us a row, most of a month
  -- close (bench, docs/scale.md); the rows are written from the postings read in the same transaction, and postings
  -- are never deleted.
  CREATE TABLE bill_postings (premises_id TEXT NOT NULL, posting_id BIGINT NOT NULL, booked_at BIGINT NOT NULL, bill_id TEXT NOT NULL,
    PRIMARY KEY (premises_id, posting_id));

  -- Distributed by account_id: bills (a bill covers every premises of the account)
  CREATE TABLE bills (account_id TEXT NOT NULL, month TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    closed_at BIGINT NOT NULL, PRIMARY KEY (account_id, month), UNIQUE (account_id, id));

  -- Distributed by hub_id: replay-protection nonces
  CREATE TABLE sync_nonces (hub_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (hub_id, nonce));
  CREATE INDEX sync_nonces_expiry ON sync_nonces (expires_at);

  -- Month partitions [UTC month of from_s, + months), named <table>_yYYYYmMM; a month whose rows already sit in the
  -- DEFAULT partition is left there (creating it would fail) and counted as skipped. Returns the partitions created.
  CREATE FUNCTION offpeak_month_partitions(parent TEXT, from_s BIGINT, months INTEGER) RETURNS INTEGER LANGUAGE plpgsql AS $$
  DECLARE
    m TIMESTAMP := date_trunc('month', to_timestamp(from_s) AT TIME ZONE 'UTC');
    made INTEGER := 0;
    name TEXT;
  BEGIN
    FOR i IN 1..months LOOP
      name := format('%s_y%sm%s', parent, to_char(m, 'YYYY'), to_char(m, 'MM'));
      IF to_regclass(name) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', name, parent,
            extract(epoch FROM m AT TIME ZONE 'UTC')::BIGINT, extract(epoch FROM (m + INTERVAL '1 month') AT TIME ZONE 'UTC')::BIGINT);
          made := made + 1;
        EXCEPTION WHEN check_violation THEN
          NULL; -- rows of that month are in the DEFAULT partition already
        END;
      END IF;
      m := m + INTERVAL '1 month';
    END LOOP;
    RETURN made;
  END $$;
  `,
  // 3 (the third entry): SQLite version 10 (issue 16 item 7): a session names its charge point and the EUMD that metered it.
  `
  ALTER TABLE sessions ADD COLUMN charge_point TEXT;
  ALTER TABLE sessions ADD COLUMN eumd_id TEXT;
  `,
  // 3: SQLite version 12 (issue 15, month close at volume): billed postings marked per journal entry and bill with
  // the range of booked_at billed, instead of a row per posting (the why is at SQLite's 12). No foreign key to
  // journal_entries: a month close writes ~30 marks an account, from entries read in the same transaction, and
  // entries are never deleted. bill_postings is carried over and dropped.
  `
  CREATE TABLE bill_entries (premises_id TEXT NOT NULL, entry_id BIGINT NOT NULL, ledger_account TEXT NOT NULL,
    billed_from BIGINT NOT NULL, billed_before BIGINT NOT NULL, bill_id TEXT NOT NULL,
    PRIMARY KEY (premises_id, entry_id, ledger_account, billed_from));
  INSERT INTO bill_entries (premises_id, entry_id, ledger_account, billed_from, billed_before, bill_id)
    SELECT p.premises_id, p.entry_id, p.ledger_account, MIN(p.booked_at), MAX(p.booked_at) + 1, b.bill_id
    FROM bill_postings b JOIN postings p ON p.premises_id = b.premises_id AND p.booked_at = b.booked_at AND p.id = b.posting_id
    GROUP BY p.premises_id, p.entry_id, p.ledger_account, b.bill_id;
  DROP TABLE bill_postings;
  `,
];
