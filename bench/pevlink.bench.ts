// PEV link and SE codec costs: how many S2 re-bindings (connect, X25519 handshake, challenge, proof) the hub can do per
// second over loopback TCP, sealed-message throughput, and SE frame encode/parse rates. Bounded to a few seconds.
import { RealClock } from "../core/time/index.ts";
import type { UtcSeconds } from "../core/time/index.ts";
import { connectSimulatedPev, newPevSecretHex, SecureLink, startTcpPevLinkServer, type PevLinkSession } from "../drivers/pevlink/index.ts";
import { buildServerCommand, parseSeFrame, PRICE, PRICE_CLUSTER_ID, publishPriceFromTariff, publishPricePayload } from "../drivers/zigbee/index.ts";

const clock = new RealClock();
const VIN = "1HGCM82633A004352";

// 1. S2 re-bindings over loopback TCP, end to end.
{
  const secret = newPevSecretHex();
  const srv = await startTcpPevLinkServer({ port: 0, clock });
  srv.onSession((s: PevLinkSession) => {
    s.on("proof", () => s.confirm({ status: "enrolled" }));
    s.challenge(secret);
  });
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 3000) {
    const pev = await connectSimulatedPev({ host: "127.0.0.1", port: srv.port, vin: VIN, clock, secretHex: secret });
    await pev.next("confirm");
    await pev.close();
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`pevlink.s2_rebindings_per_s: ${Math.round(n / s)} 1/s`);
  console.log(`pevlink.s2_rebinding_latency_ms: ${((s * 1000) / n).toFixed(2)} ms`);
  await srv.close();
}

// 2. Sealed messages (AES-256-GCM + header checks), in process.
{
  const pev = new SecureLink("pev", clock);
  const hub = new SecureLink("hub", clock);
  hub.open(pev.hello({ vin: VIN }));
  pev.open(hub.seal("accept", {}));
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < 500; i++) hub.open(pev.seal("ack", { of: "confirm", accepted: true }));
    n += 500;
  }
  console.log(`pevlink.sealed_messages_per_s: ${Math.round(n / ((performance.now() - t0) / 1000))} 1/s`);
}

// 3. SE PublishPrice build + parse with herdsman's codec.
{
  const now = Math.floor(Date.now() / 1000) as UtcSeconds;
  const payload = publishPricePayload(publishPriceFromTariff({ period: 0, tiers: 2, label: "OFFPEAK", priceMicroUsdPerKWh: 123450, since: now }, { providerId: 1, issuerEventId: 1, now }));
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < 1000; i++) parseSeFrame(PRICE_CLUSTER_ID, buildServerCommand(PRICE, "publishPrice", payload, i & 0xff));
    n += 1000;
  }
  console.log(`zigbee.publish_price_roundtrips_per_s: ${Math.round(n / ((performance.now() - t0) / 1000))} 1/s`);
}
process.exit(0);
