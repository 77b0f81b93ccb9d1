// A pseudo-terminal pair from socat: two tty paths wired back to back, as a stand-in for an RS485 bus in
// tests and benches (socat is installed by .ci/run; Debian package "socat").
export interface PtyPair { a: string; b: string; close(): Promise<void> }

import { closeSync, constants, openSync } from "node:fs";

export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const proc = Bun.spawn(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdout: "ignore", stderr: "pipe" });
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => proc.kill(), timeoutMs);
  try {
    for (;;) {
      const paths = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
      if (paths.length >= 2 && /starting data transfer loop/.test(text)) {
        // Hold each end open ourselves: when the last user of a pty end closes it, socat sees a hangup and
        // exits, and a driver that reconnects would find the pty gone.
        const holds = paths.slice(0, 2).map((p) => openSync(p, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK));
        return { a: paths[0]!, b: paths[1]!, close: async () => { proc.kill(); await proc.exited; for (const fd of holds) closeSync(fd); } };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`socat exited before opening a pty pair: ${text.trim() || "no output"} (is socat installed?)`);
      text += decoder.decode(value);
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
