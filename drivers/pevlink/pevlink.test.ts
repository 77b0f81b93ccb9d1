import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "node:net";
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import { TestClock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { connectSimulatedPev, encodeFrame, IdOnlyLink, newPevSecretHex, startTcpPevLinkServer, type PevLinkError, type PevLinkServer, type PevLinkSession } from "./index.ts";

const VIN = "1HGCM82633A004352";

function params(intervalS = 900): AuthenticationParameters {
  return {
    programId: "ev-tou", programName: "EV time-of-use", tariffId: "EV2-A", intervalS, commWaitS: 60, offlineRebinding: true,
    credential: { v: 1, vin: VIN as Vin, premisesId: "prem-1" as PremisesId, utilityId: "pge" as UtilityId, programId: "ev-tou",
      issuedAt: 1717398000 as UtcSeconds, expiresAt: 1748934000 as UtcSeconds, keyId: "k1", signature: "c2ln" },
  };
}

async function withServer(fn: (srv: PevLinkServer, clock: TestClock, nextSession: () => Promise<PevLinkSession>) => Promise<void>): Promise<void> {
  const clock = new TestClock();
  const srv = await startTcpPevLinkServer({ port: 0, clock });
  const queue: PevLinkSession[] = [];
  const waiting: Array<(s: PevLinkSession) => void> = [];
  srv.onSession((s) => (waiting.length ? waiting.shift()!(s) : queue.push(s)));
  const nextSession = () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise<PevLinkSession>((r) => waiting.push(r)));
  try {
    await fn(srv, clock, nextSession);
  } finally {
    await srv.close();
  }
}

function once<T>(s: PevLinkSession, ev: "proof" | "ack" | "eumd-ack" | "error" | "hello" | "closed"): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${ev} event within 3 s`)), 3000);
    s.on(ev, (p) => { clearTimeout(t); resolve(p as T); });
  });
}

test("FR-09, FR-11, FR-13, FR-16, FR-18, FR-19, FR-23, FR-26, FR-27: full S1 commissioning over loopback TCP", () =>
  withServer(async (srv, clock, nextSession) => {
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, eumdId: "eumd-in-pev-1" });
    const s = await nextSession();
    assert.is(s.mode, "secure");
    const hello = await once<{ vin: string; at: number; eumd: boolean }>(s, "hello");
    assert.is(hello.vin, VIN, "FR-13: the PEV gives its VIN at session start");
    assert.is(hello.at, clock.now());
    assert.ok(hello.eumd);
    const secret = newPevSecretHex();
    const acked = once<{ of: string; accepted: boolean }>(s, "ack");
    s.confirm({ status: "enrolled", params: params(), pevSecretHex: secret });
    const confirm = await pev.next("confirm");
    assert.is(confirm.status, "enrolled");
    assert.equal(confirm.params, params(), "FR-18: parameters reach the PEV");
    assert.is(pev.secretHex, secret, "the per-PEV secret is delivered");
    const ack = await acked;
    assert.equal([ack.of, ack.accepted], ["confirm", true], "FR-19: the PEV acknowledges");
    // The secret never crosses the wire in clear: no frame from the hub contains it.
    const eumdAcked = once<{ eumdId: string; intervalS: number; accepted: boolean }>(s, "eumd-ack");
    s.eumdDetect(params(300));
    const det = await pev.next("eumd-detect");
    assert.is(det.params.intervalS, 300, "FR-26: the EUMD receives its interval length");
    const ea = await eumdAcked;
    assert.equal([ea.eumdId, ea.intervalS, ea.accepted], ["eumd-in-pev-1", 300, true], "FR-27: the EUMD acknowledges");
    const updAck = once<{ of: string }>(s, "ack");
    s.paramsUpdate(params(600));
    assert.is((await pev.next("params-update")).params.intervalS, 600);
    assert.is((await updAck).of, "params-update", "FR-18: a parameter change is acknowledged");
    assert.is(pev.rejected.length, 0);
    await pev.close();
  }));

test("FR-09: the per-PEV secret is sealed on the wire", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const seen: Buffer[] = [];
    // Dial through a tiny loopback tap to see the hub's bytes.
    const { createServer } = await import("node:net");
    const tap = createServer((c) => {
      const up = connect({ host: "127.0.0.1", port: srv.port });
      c.on("data", (b) => up.write(b));
      up.on("data", (b: Buffer) => { seen.push(b); c.write(b); });
      c.on("close", () => up.destroy());
      up.on("close", () => c.destroy());
    });
    await new Promise<void>((r) => tap.listen(0, "127.0.0.1", () => r()));
    const port = (tap.address() as { port: number }).port;
    try {
      const pev = await connectSimulatedPev({ host: "127.0.0.1", port, vin: VIN, clock });
      const s = await nextSession();
      s.confirm({ status: "enrolled", params: params(), pevSecretHex: secret });
      await pev.next("confirm");
      assert.is(pev.secretHex, secret);
      const all = Buffer.concat(seen).toString("latin1");
      assert.not.ok(all.includes(secret), "secret must not appear in clear");
      assert.not.ok(all.includes("EV time-of-use"), "parameters are sealed too");
      await pev.close();
    } finally {
      await new Promise<void>((r) => tap.close(() => r()));
    }
  }));

test("FR-28, FR-12: S2 re-binding: hello → challenge → proof → confirm", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: secret });
    const s = await nextSession();
    const proof = once<{ ok: boolean; reason?: string }>(s, "proof");
    s.challenge(secret);
    assert.equal(await proof, { ok: true });
    const ack = once<{ accepted: boolean }>(s, "ack");
    s.confirm({ status: "enrolled", params: params() });
    assert.is((await pev.next("confirm")).pevSecretHex, undefined, "no secret re-sent at S2");
    assert.ok((await ack).accepted);
    await pev.close();
  }));

test("FR-09: a wrong per-PEV secret gives a failed proof", () =>
  withServer(async (srv, clock, nextSession) => {
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: newPevSecretHex() });
    const s = await nextSession();
    const proof = once<{ ok: boolean; reason?: string }>(s, "proof");
    s.challenge(newPevSecretHex());
    const p = await proof;
    assert.is(p.ok, false);
    assert.match(p.reason ?? "", /does not match the per-PEV secret/);
    await pev.close();
  }));

test("FR-09: a replayed message is rejected and the link survives", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: secret });
    const s = await nextSession();
    const acks: unknown[] = [];
    s.on("ack", (a) => acks.push(a));
    const ack1 = once(s, "ack");
    s.confirm({ status: "enrolled", params: params() });
    await pev.next("confirm");
    await ack1;
    const errs: PevLinkError[] = [];
    const err = once<PevLinkError>(s, "error");
    s.on("error", (e) => errs.push(e));
    pev.sendRawFrame(pev.sentFrames.at(-1)!); // the ack again, byte for byte
    const e = await err;
    assert.is(e.code, "replay");
    assert.match(e.message, /seq 1 already seen/);
    assert.is(acks.length, 1, "the replayed ack is not delivered twice");
    // Still usable afterwards.
    const proof = once<{ ok: boolean }>(s, "proof");
    s.challenge(secret);
    assert.ok((await proof).ok);
    await pev.close();
  }));

test("FR-09: a captured hello replayed on a new connection is refused", () =>
  withServer(async (srv, clock, nextSession) => {
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock });
    await nextSession();
    const linkErr = new Promise<PevLinkError>((r) => srv.onLinkError((e) => r(e)));
    const sock = connect({ host: "127.0.0.1", port: srv.port });
    await new Promise((r) => sock.once("connect", r));
    const closed = new Promise((r) => sock.once("close", r));
    sock.write(pev.sentFrames[0]!);
    const e = await linkErr;
    assert.is(e.code, "replay");
    await closed;
    await pev.close();
  }));

test("FR-09: a tampered message is rejected with a clear error", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: secret, autoAck: false });
    const s = await nextSession();
    s.challenge(secret);
    const ch2 = await pev.next("challenge");
    const proofs: Array<{ ok: boolean }> = [];
    s.on("proof", (p) => proofs.push(p));
    const err = once<PevLinkError>(s, "error");
    // Forge: take the genuine next proof, alter a ciphertext byte.
    const n = pev.sentFrames.length;
    const origWrite = (pev as unknown as { channel: { write(b: Uint8Array): void } }).channel;
    const write = origWrite.write.bind(origWrite);
    let captured: Uint8Array | undefined;
    origWrite.write = (b: Uint8Array) => { captured = b; };
    pev.sendProof(ch2.challenge);
    origWrite.write = write;
    assert.ok(captured && pev.sentFrames.length === n + 1);
    const realSend = pev.sendRawFrame.bind(pev);
    const text = Buffer.from(captured!.subarray(4)).toString("utf8");
    const ct = /"ct":"([^"]+)"/.exec(text)![1]!;
    const flipped = ct[5] === "A" ? "B" : "A";
    const forged = text.replace(ct, ct.slice(0, 5) + flipped + ct.slice(6));
    realSend(encodeFrame(new TextEncoder().encode(forged)));
    const e = await err;
    assert.is(e.code, "tampered");
    assert.match(e.message, /proof message seq \d+: authentication failed/);
    assert.is(proofs.length, 0, "a tampered proof is never reported as a proof");
    // A changed header (the time) breaks the tag too.
    const err2 = once<PevLinkError>(s, "error");
    realSend(encodeFrame(new TextEncoder().encode(text.replace(/"at":(\d+)/, (_m, d) => `"at":${Number(d) + 1}`))));
    assert.is((await err2).code, "tampered");
    // The genuine frame still goes through: the forgeries burned nothing.
    const ok = once<{ ok: boolean }>(s, "proof");
    realSend(captured!);
    assert.ok((await ok).ok);
    await pev.close();
  }));

test("FR-09: a message stamped outside the clock skew is stale", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const pevClock = new TestClock(clock.nowMs());
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock: pevClock, secretHex: secret, autoAck: false });
    const s = await nextSession();
    s.challenge(secret);
    const ch = await pev.next("challenge");
    pevClock.jumpWall(-600_000);
    const err = once<PevLinkError>(s, "error");
    pev.sendProof(ch.challenge);
    const e = await err;
    assert.is(e.code, "stale");
    assert.match(e.message, /-600 s from ours/);
    await pev.close();
  }));

test("malformed frames: bad JSON is reported and the link survives; a bad length closes it cleanly", () =>
  withServer(async (srv, clock, nextSession) => {
    const secret = newPevSecretHex();
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: secret });
    const s = await nextSession();
    const err = once<PevLinkError>(s, "error");
    pev.sendRawFrame(encodeFrame(new TextEncoder().encode("{not json")));
    const e = await err;
    assert.is(e.code, "malformed");
    assert.match(e.message, /not a JSON message/);
    const err2 = once<PevLinkError>(s, "error");
    pev.sendRawFrame(encodeFrame(new TextEncoder().encode(JSON.stringify({ v: 7, t: "ack", seq: 9, n: "00".repeat(16), at: clock.now() }))));
    assert.is((await err2).code, "version");
    const proof = once<{ ok: boolean }>(s, "proof");
    s.challenge(secret);
    assert.ok((await proof).ok, "link still works");
    const closed = once(s, "closed");
    const err3 = once<PevLinkError>(s, "error");
    pev.sendRawFrame(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    assert.match((await err3).message, /frame length 4294967295/);
    await closed;
    await pev.closed;
  }));

test("garbage before hello closes the connection with a clear error, server keeps serving", () =>
  withServer(async (srv, clock, nextSession) => {
    const linkErr = new Promise<PevLinkError>((r) => srv.onLinkError((e) => r(e)));
    const sock = connect({ host: "127.0.0.1", port: srv.port });
    await new Promise((r) => sock.once("connect", r));
    const closed = new Promise((r) => sock.once("close", r));
    sock.write(encodeFrame(new TextEncoder().encode(JSON.stringify({ v: 1, t: "hello", seq: 0, n: "ab".repeat(16), at: clock.now(), kx: "x", body: { vin: VIN } }))));
    const e = await linkErr;
    assert.is(e.code, "malformed");
    assert.match(e.message, /kx must be a 32-byte X25519 public key/);
    await closed;
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock });
    assert.is((await nextSession()).hello?.vin, VIN);
    await pev.close();
  }));

test("a link that never says hello is closed after the hello timeout (test clock)", async () => {
  const clock = new TestClock();
  const srv = await startTcpPevLinkServer({ port: 0, clock, helloTimeoutMs: 10_000 });
  try {
    const linkErr = new Promise<PevLinkError>((r) => srv.onLinkError((e) => r(e)));
    const sock = connect({ host: "127.0.0.1", port: srv.port });
    await new Promise((r) => sock.once("connect", r));
    const closed = new Promise((r) => sock.once("close", r));
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(10_000);
    assert.is((await linkErr).code, "timeout");
    await closed;
  } finally {
    await srv.close();
  }
});

test("FR-13: an EVSE that reports only a vehicle ID gives an id-only link that says no proof is possible", async () => {
  const clock = new TestClock();
  const link = new IdOnlyLink(VIN, clock);
  assert.is(link.mode, "id-only");
  const hello = await new Promise<{ vin: string }>((r) => link.on("hello", r));
  assert.is(hello.vin, VIN);
  const proof = new Promise<{ ok: boolean; reason?: string }>((r) => link.on("proof", r));
  link.challenge(newPevSecretHex());
  const p = await proof;
  assert.is(p.ok, false);
  assert.match(p.reason ?? "", /id-only link.*no proof is possible/);
  link.confirm({ status: "enrolled" });
  assert.is(link.undelivered.length, 1);
});

test("sending on a link the PEV already closed reports an error instead of throwing", () =>
  withServer(async (srv, clock, nextSession) => {
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock });
    const s = await nextSession();
    const closed = once(s, "closed");
    await pev.close();
    await closed;
    const err = once<PevLinkError>(s, "error");
    s.confirm({ status: "enrolled" });
    const e = await err;
    assert.is(e.code, "closed");
    assert.match(e.message, /cannot send confirm/);
  }));

test.run();
