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
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current > migrations.length) {
    db.close();
    throw new MigrationError(path, current, `database is at version ${current}, newer than this program (${migrations.length})`);
  }
  for (let v = current; v < migrations.length; v++) {
    try {
      db.transaction(() => {
        db.exec(migrations[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      })();
    } catch (e) {
      db.close();
      throw new MigrationError(path, v + 1, e);
    }
  }
  return db;
}
