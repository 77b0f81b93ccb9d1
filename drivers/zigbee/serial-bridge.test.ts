// The loopback serial bridge against a real pty pair (socat), as a USB stick would appear.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSerialBridge } from "./serial-bridge.ts";

const haveSocat = spawnSync("which", ["socat"]).status === 0;

test("bytes flow both ways between a tcp:// client and the tty", async () => {
  if (!haveSocat) {
    console.log("(socat not installed: skipped)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const a = join(dir, "stick");
  // The "radio" end of the pty is socat's stdin/stdout: pipes, so only the bridge itself does a blocking tty read.
  const socat = spawn("socat", [`pty,raw,echo=0,link=${a}`, "STDIO"], { stdio: ["pipe", "pipe", "ignore"] });
  try {
    for (let i = 0; i < 100 && !existsSync(a); i++) await new Promise((r) => setTimeout(r, 20));
    const bridge = await startSerialBridge({ ttyPath: a, baudRate: 115200, port: 0 });
    assert.match(bridge.url, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const radioIn = socat.stdout!;
    const radioOut = socat.stdin!;
    const sock = connect({ host: "127.0.0.1", port: bridge.port });
    await new Promise((r) => sock.once("connect", r));
    const toRadio = new Promise<Buffer>((r) => radioIn.once("data", (d: Buffer) => r(d)));
    sock.write(Buffer.from([0xfe, 0x00, 0x21, 0x01, 0x20]));
    assert.equal([...(await toRadio)], [0xfe, 0x00, 0x21, 0x01, 0x20]);
    const toHost = new Promise<Buffer>((r) => sock.once("data", (d: Buffer) => r(d)));
    radioOut.write(Buffer.from([0xfe, 0x02, 0x61, 0x01]));
    assert.equal([...(await toHost)], [0xfe, 0x02, 0x61, 0x01]);
    sock.destroy();
    await bridge.close();
  } finally {
    socat.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing tty and an odd baud rate are refused by name", async () => {
  await startSerialBridge({ ttyPath: "/dev/nonexistent-stick", baudRate: 115200, port: 0 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /nonexistent-stick: config: no such device/));
  await startSerialBridge({ ttyPath: "/dev/null", baudRate: 12345, port: 0 }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /baud rate 12345/));
});

test.run();
