// Versioned schema of the clearinghouse store (see core/storage/sqlite.ts for how migrations apply).
export const CLEARINGHOUSE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE utilities (utility_id TEXT PRIMARY KEY, base_url TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL, registered_at INTEGER NOT NULL);
  -- Roaming tokens: which utility is home for a PEV (its VIN), published by the home utility.
  CREATE TABLE tokens (vin TEXT PRIMARY KEY, utility_id TEXT NOT NULL REFERENCES utilities(utility_id), updated_at INTEGER NOT NULL);
  CREATE TABLE cdrs (id TEXT PRIMARY KEY, session_id TEXT NOT NULL UNIQUE, cdr_id TEXT NOT NULL,
    from_utility_id TEXT NOT NULL, home_utility_id TEXT NOT NULL, body TEXT NOT NULL,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    received_at INTEGER NOT NULL, delivered_at INTEGER);
  CREATE INDEX cdrs_home_state ON cdrs(home_utility_id, state);
  `,
  // 2: pushes a home utility refused (4xx) are dead-lettered; failed ones (5xx, unreachable) wait a growing delay
  `
  ALTER TABLE cdrs ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: a utility signs what it registers (issue 13): its Ed25519 key, registered by the clearinghouse operator with
  // its token; every token registration, change and deletion is kept with the utility's signature over the request.
  `
  ALTER TABLE utilities ADD COLUMN public_key_pem TEXT;
  CREATE TABLE token_changes (id INTEGER PRIMARY KEY, vin TEXT NOT NULL, utility_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('put', 'delete')), signed_at INTEGER NOT NULL, nonce TEXT NOT NULL,
    signature TEXT NOT NULL, received_at INTEGER NOT NULL);
  CREATE INDEX token_changes_vin ON token_changes(vin, id);
  `,
  // 4: OCPI credit CDRs (issue 14): a corrected session is settled by a credit CDR and a new CDR, so a session has
  // several CDRs; a CDR is unique per sender and OCPI CDR ID (OCPI: unique per country_code/party_id).
  `
  CREATE TABLE cdrs_v4 (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, cdr_id TEXT NOT NULL,
    from_utility_id TEXT NOT NULL, home_utility_id TEXT NOT NULL, body TEXT NOT NULL,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    received_at INTEGER NOT NULL, delivered_at INTEGER, next_attempt_at INTEGER NOT NULL DEFAULT 0,
    credit_of TEXT, UNIQUE (from_utility_id, cdr_id));
  INSERT INTO cdrs_v4 (id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, attempts, last_error, received_at, delivered_at, next_attempt_at)
    SELECT id, session_id, cdr_id, from_utility_id, home_utility_id, body, state, attempts, last_error, received_at, delivered_at, next_attempt_at FROM cdrs;
  DROP TABLE cdrs;
  ALTER TABLE cdrs_v4 RENAME TO cdrs;
  CREATE INDEX cdrs_home_state ON cdrs(home_utility_id, state);
  CREATE INDEX cdrs_session ON cdrs(session_id);
  -- A utility's OCPI party (CC*PID): its CDRs must carry it; no two utilities share one.
  ALTER TABLE utilities ADD COLUMN ocpi_party TEXT;
  CREATE UNIQUE INDEX utilities_ocpi_party ON utilities(ocpi_party) WHERE ocpi_party IS NOT NULL;
  `,
];
