// The same PEV-link code over the SE Tunneling cluster: a Zigbee PEV/EVSE (played through herdsman's Controller on the
// adapter double) opens a tunnel, and S1/S2 run unchanged on top. Test-only cross-driver wiring; the edge does the same.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setLogger } from "zigbee-herdsman";
import { TestClock } from "../../core/time/index.ts";
import { buildClientCommand, parseSeFrame, PEV_LINK_TUNNEL_PROTOCOL, TUNNEL_CHUNK_BYTES, TUNNELING_CLUSTER_ID, ZigbeeCoordinator, ZigbeeSmartEnergy } from "../zigbee/index.ts";
import { AdapterDouble, seDeviceDbLines } from "../zigbee/testing/adapter-double.ts";
import { acceptPevLinkChannel, newPevSecretHex, openPevLink, type ByteChannel, type PevLinkSession } from "./index.ts";

const q = () => {};
setLogger({ debug: q, info: q, warning: q, error: q });
const EV = "0x00124b00000e0e01";
const NWK = 0x4321;
const VIN = "1HGCM82633A004352";

/** The vehicle's end of the tunnel: its writes become TransferData to the hub, the hub's TransferData come back here. */
function vehicleSide(adapter: AdapterDouble, tunnelId: number): ByteChannel & { stop(): void } {
  const dataCbs: Array<(b: Uint8Array) => void> = [];
  const closeCbs: Array<(e?: Error) => void> = [];
  let tsn = 0x80;
  let running = true;
  (async () => {
    while (running) {
      const mine = (x: { clusterId: number; ieeeAddr: string; data: Buffer }) => {
        if (x.clusterId !== TUNNELING_CLUSTER_ID || x.ieeeAddr !== EV || (x.data[0]! & 0x03) !== 1) return false;
        const p = parseSeFrame(TUNNELING_CLUSTER_ID, x.data);
        return p.command === "transferData" && p.payload.tunnelId === tunnelId;
      };
      // Short polls, so a stopped end lets go of the adapter within half a second.
      const f = await adapter.nextSent(mine, 500).catch(() => undefined);
      if (!running) break;
      if (!f) continue;
      const p = parseSeFrame(TUNNELING_CLUSTER_ID, f.data);
      if (p.command === "transferData") for (const cb of dataCbs) cb(new Uint8Array(p.payload.data as Buffer));
    }
  })();
  return {
    label: "vehicle tunnel end",
    write(bytes) {
      for (let off = 0; off < bytes.length; off += TUNNEL_CHUNK_BYTES) {
        adapter.receive(NWK, 1, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "transferData", { tunnelId, data: Buffer.from(bytes.subarray(off, off + TUNNEL_CHUNK_BYTES)) }, tsn++ & 0xff, true));
      }
    },
    onData: (cb) => void dataCbs.push(cb),
    onClose: (cb) => void closeCbs.push(cb),
    close() { running = false; for (const cb of closeCbs) cb(); },
    stop() { running = false; },
  };
}

test("FR-09, FR-11, FR-16, FR-19, FR-28: S1 then S2 over the Zigbee SE tunnel with the same link code as TCP", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  writeFileSync(join(dir, "database.db"), seDeviceDbLines([{ id: 2, ieeeAddr: EV, nwkAddr: NWK, modelId: "SE PEV", endpoint: 1, inClusters: [TUNNELING_CLUSTER_ID], outClusters: [] }]));
  const adapter = new AdapterDouble(15);
  const coord = await ZigbeeCoordinator.start({ dataDir: dir, path: "tcp://127.0.0.1:1", adapter: "zstack", channel: 15, adapterForTests: adapter });
  const clock = new TestClock();
  const se = new ZigbeeSmartEnergy({ coordinator: coord, clock, providerId: 1 });
  const sessions: PevLinkSession[] = [];
  const waiting: Array<(s: PevLinkSession) => void> = [];
  se.onTunnel((t) => acceptPevLinkChannel(t, { clock }, (s) => (waiting.length ? waiting.shift()!(s) : sessions.push(s))));
  const nextSession = () => (sessions.length ? Promise.resolve(sessions.shift()!) : new Promise<PevLinkSession>((r) => waiting.push(r)));
  const openTunnel = async (tsn: number): Promise<number> => {
    adapter.receive(NWK, 1, TUNNELING_CLUSTER_ID, buildClientCommand("seTunneling", "requestTunnel", { protocolId: PEV_LINK_TUNNEL_PROTOCOL, manufacturerCode: 0, flowControl: 0, maxIncomingTransferSize: 1500 }, tsn, true));
    const rsp = parseSeFrame(TUNNELING_CLUSTER_ID, (await adapter.nextSent((f) => f.clusterId === TUNNELING_CLUSTER_ID && (f.data[0]! & 0x03) === 1 && f.data[2] === 0x00)).data);
    assert.is(rsp.payload.status, 0);
    return rsp.payload.tunnelId as number;
  };
  try {
    // S1: commissioning
    const t1 = await openTunnel(1);
    const ch1 = vehicleSide(adapter, t1);
    const pev = await openPevLink(ch1, { vin: VIN, clock });
    const s1 = await nextSession();
    assert.is(s1.hello?.vin, VIN);
    assert.match(s1.label, /zigbee tunnel/);
    const secret = newPevSecretHex();
    const acked = new Promise<{ accepted: boolean }>((r) => s1.on("ack", r));
    s1.confirm({ status: "enrolled", pevSecretHex: secret });
    assert.is((await pev.next("confirm")).status, "enrolled");
    assert.ok((await acked).accepted);
    assert.is(pev.secretHex, secret);
    ch1.stop();
    // S2: a later plug, new tunnel, proof of the secret
    const t2 = await openTunnel(2);
    const ch2 = vehicleSide(adapter, t2);
    await openPevLink(ch2, { vin: VIN, clock, secretHex: secret });
    const s2 = await nextSession();
    const proof = new Promise<{ ok: boolean }>((r) => s2.on("proof", r));
    s2.challenge(secret);
    assert.ok((await proof).ok);
    ch2.stop();
  } finally {
    se.close();
    await coord.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
