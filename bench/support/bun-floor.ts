// The Bun runtime a hub cannot do without, and no Offpeak code or package: an HTTP server, a SQLite store in WAL mode
// written every few seconds, Ed25519 signing, a TCP client retrying (Modbus TCP), fetch (utility sync) and TOML.
// bench/footprint.bench.ts compiles it (and a bare Bun.serve) the way scripts/build-pi.ts compiles the hub, to show
// how much of the hub's RSS is Bun's before a line of Offpeak runs (docs/raspberry-pi.md).
// FLOOR=bare: Bun.serve alone.
export {};
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ ok: true }) });
if (process.env.FLOOR !== "bare") {
  const { Database } = await import("bun:sqlite");
  const { generateKeyPairSync, sign } = await import("node:crypto");
  const { connect } = await import("node:net");
  const db = new Database(`${process.env.FLOOR_DIR ?? "."}/floor.sqlite`);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
  const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
  setInterval(() => insert.run(new Date().toISOString()), 5000);
  const { privateKey } = generateKeyPairSync("ed25519");
  sign(null, Buffer.from("hub"), privateKey);
  setInterval(() => { const c = connect(1502, "127.0.0.1"); c.on("error", () => c.destroy()); }, 1000);
  setInterval(() => { fetch("http://127.0.0.1:9/v1/ping", { method: "POST", body: "{}" }).catch(() => {}); }, 2000);
  Bun.TOML.parse("[hub]\nport = 8080\n");
}
console.log(`listening on ${server.url}`);
