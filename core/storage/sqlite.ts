// Opens (and migrates) a SQLite database with the settings every Offpeak server store uses.
import { Database } from "bun:sqlite";

export class MigrationError extends Error {
  constructor(readonly dbPath: string, readonly version: number, cause: unknown) {
    super(`${dbPath}: migration ${version} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "MigrationError";
  }
}

/** Opens `path` (":memory:" allowed) in WAL mode and applies every migration past its user_version. */
export function openMigratedDb(path: string, migrations: readonly string[]): Database {
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode is durable against process crashes; only power loss can drop the last commit.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  // Checkpoint the WAL every ~40 MB rather than every 4 MB: far fewer fsyncs at intake rates, bounded file size.
  db.exec("PRAGMA wal_autocheckpoint = 10000");
  try {
    applyMigrations(db, path, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * Applies every migration past the database's `PRAGMA user_version`, each in its own transaction with the version
 * bump, so a crash leaves the database at a whole version. Refuses a database written by a newer program.
 * `migrations[i]` is the SQL of version i + 1.
 */
export function applyMigrations(db: Database, path: string, migrations: readonly string[]): number {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current > migrations.length) {
    throw new MigrationError(path, current, `database schema version ${current} is newer than this program understands (${migrations.length}); upgrade Offpeak or restore a backup`);
  }
  for (let v = current; v < migrations.length; v++) {
    try {
      db.transaction(() => {
        db.exec(migrations[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      })();
    } catch (e) {
      throw new MigrationError(path, v + 1, e);
    }
  }
  return migrations.length;
}
