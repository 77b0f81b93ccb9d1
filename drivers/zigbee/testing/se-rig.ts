// A hub's Smart Energy side on the adapter double: one SE EVSE already joined (Price, DRLC and Messaging client;
// Metering and Tunneling server), the real herdsman Controller, and ZigbeeSmartEnergy on a test clock.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setLogger } from "zigbee-herdsman";
import { TestClock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { ZigbeeCoordinator } from "../coordinator.ts";
import { DRLC_CLUSTER_ID, MESSAGING_CLUSTER_ID, METERING_CLUSTER_ID, PRICE_CLUSTER_ID, TUNNELING_CLUSTER_ID } from "../se-clusters.ts";
import { ZigbeeSmartEnergy } from "../smart-energy-service.ts";
import { AdapterDouble, seDeviceDbLines, type SentFrame } from "./adapter-double.ts";

export const EVSE = "0x00124b0000000aaa";
export const EVSE_NWK = 0x1234;
export const EVSE_ENDPOINT = 1;
/** 2024-06-03T07:00:00Z. */
export const RIG_NOW = 1717398000 as UtcSeconds;

export interface SeRig { dir: string; clock: TestClock; adapter: AdapterDouble; coord: ZigbeeCoordinator; se: ZigbeeSmartEnergy }

export async function withSeRig(fn: (r: SeRig) => Promise<void>): Promise<void> {
  const quiet = () => {};
  setLogger({ debug: quiet, info: quiet, warning: quiet, error: quiet });
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  writeFileSync(join(dir, "database.db"), seDeviceDbLines([{ id: 2, ieeeAddr: EVSE, nwkAddr: EVSE_NWK, modelId: "SE EVSE", endpoint: EVSE_ENDPOINT, inClusters: [METERING_CLUSTER_ID, TUNNELING_CLUSTER_ID], outClusters: [PRICE_CLUSTER_ID, DRLC_CLUSTER_ID, MESSAGING_CLUSTER_ID] }]));
  const clock = new TestClock(RIG_NOW * 1000);
  const adapter = new AdapterDouble(15);
  const coord = await ZigbeeCoordinator.start({ dataDir: dir, path: "tcp://127.0.0.1:1", adapter: "zstack", channel: 15, adapterForTests: adapter });
  const se = new ZigbeeSmartEnergy({ coordinator: coord, clock, providerId: 7 });
  try {
    await fn({ dir, clock, adapter, coord, se });
  } finally {
    se.close();
    await coord.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cluster-specific frames the hub sent the EVSE on a cluster (ZCL default responses are herdsman's business). */
export const sentTo = (clusterId: number) => (f: SentFrame): boolean => f.clusterId === clusterId && f.ieeeAddr === EVSE && (f.data[0]! & 0x03) === 0x01;
