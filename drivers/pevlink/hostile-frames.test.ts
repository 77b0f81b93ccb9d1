// The PEV link's listener as a stranger on the LAN attacks it: a length prefix that announces gigabytes is refused on
// its first 4 bytes (nothing is buffered), the connection is closed and recorded, and a real vehicle still connects.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "node:net";
import { TestClock } from "../../core/time/index.ts";
import { connectSimulatedPev, MAX_FRAME_BYTES, startTcpPevLinkServer, type PevLinkError } from "./index.ts";

const VIN = "1HGCM82633A004352";

test("FR-09: a frame announcing more than the 16 KiB limit closes that connection at once; the listener keeps serving", async () => {
  const clock = new TestClock(Date.now());
  const server = await startTcpPevLinkServer({ port: 0, clock });
  const errors: string[] = [];
  server.onLinkError((e: PevLinkError) => errors.push(e.message));
  const closed = await new Promise<{ bytesWritten: number }>((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: server.port }, () => {
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setUint32(0, 0x7fff_ffff, false); // 2 GiB announced
      s.write(prefix);
      // Keep streaming: the hub must not wait for (or keep) the announced body.
      const junk = new Uint8Array(64 * 1024);
      const pump = setInterval(() => { if (!s.destroyed) s.write(junk); }, 5);
      s.on("close", () => { clearInterval(pump); resolve({ bytesWritten: s.bytesWritten }); });
    });
    s.on("error", () => undefined);
    setTimeout(() => reject(new Error("the hub kept the hostile connection open")), 5000);
  });
  assert.ok(closed.bytesWritten < 10 * 1024 * 1024, "the hub closed the connection before 10 MB arrived");
  assert.ok(errors.some((m) => m.includes(`outside 1..${MAX_FRAME_BYTES}`)), errors.join("\n"));
  const accepted = new Promise<string>((resolve) => server.onSession((s) => resolve(s.hello!.vin)));
  // connectSimulatedPev resolves once the hub has accepted the vehicle's hello.
  const pev = await connectSimulatedPev({ host: "127.0.0.1", port: server.port, vin: VIN, clock });
  assert.is(await accepted, VIN, "a real vehicle is still accepted");
  await pev.close();
  await server.close();
});

test.run();
