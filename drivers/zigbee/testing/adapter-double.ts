// An in-process stand-in for a coordinator, in the spirit of herdsman's own test suite (which mocks the adapter module):
// the real Controller runs on top; tests make devices "join" and "send" ZCL frames, and read back what the hub sent.
import { Zcl } from "zigbee-herdsman";
import { Adapter } from "zigbee-herdsman/dist/adapter/adapter.js";
import type { ZclPayload } from "zigbee-herdsman/dist/adapter/events.js";
import type { CoordinatorVersion, NetworkParameters, StartResult } from "zigbee-herdsman/dist/adapter/tstype.js";
import type { Backup } from "zigbee-herdsman/dist/models/index.js";

export const COORDINATOR_IEEE = "0x00124b0000c0ffee";

export interface SentFrame {
  ieeeAddr: string;
  networkAddress: number;
  endpoint: number;
  clusterId: number;
  data: Buffer;
}

export class AdapterDouble extends Adapter {
  readonly sent: SentFrame[] = [];
  readonly permitJoinCalls: number[] = [];
  readonly installCodes: Array<{ ieeeAddr: string; key: Buffer; hashed: boolean }> = [];
  private readonly sentWaiters: Array<{ match: (f: SentFrame) => boolean; resolve: (f: SentFrame) => void }> = [];

  constructor(private readonly channel: number) {
    super({ panID: 1, channelList: [channel] }, { path: "double" }, "", { disableLED: false });
  }

  /** A device announces itself on the network. */
  join(ieeeAddr: string, networkAddress: number): void {
    this.emit("deviceJoined", { ieeeAddr, networkAddress });
  }

  /** A device sends a ZCL frame to the coordinator. */
  receive(networkAddress: number, endpoint: number, clusterId: number, data: Buffer): void {
    const payload: ZclPayload = { clusterID: clusterId, address: networkAddress, header: Zcl.Header.fromBuffer(data), data, endpoint, linkquality: 200, groupID: 0, wasBroadcast: false, destinationEndpoint: 1 };
    this.emit("zclPayload", payload);
  }

  /** Resolves with the next frame the hub sends that matches (or one already sent and not yet taken). */
  nextSent(match: (f: SentFrame) => boolean, timeoutMs = 3000): Promise<SentFrame> {
    const i = this.sent.findIndex(match);
    if (i >= 0) return Promise.resolve(this.sent.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (f: SentFrame) => { clearTimeout(t); resolve(f); } };
      const t = setTimeout(() => {
        const i = this.sentWaiters.indexOf(waiter);
        if (i >= 0) this.sentWaiters.splice(i, 1);
        reject(new Error(`the hub sent no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.sentWaiters.push(waiter);
    });
  }

  async start(): Promise<StartResult> { return "resumed"; }
  async stop(): Promise<void> {}
  async getCoordinatorIEEE(): Promise<string> { return COORDINATOR_IEEE; }
  async getCoordinatorVersion(): Promise<CoordinatorVersion> { return { type: "adapter-double", meta: {} }; }
  async reset(): Promise<void> {}
  async supportsBackup(): Promise<boolean> { return false; }
  async backup(): Promise<Backup> { throw new Error("the adapter double keeps no network backup"); }
  async getNetworkParameters(): Promise<NetworkParameters> { return { panID: 1, extendedPanID: "0x0000000000000001", channel: this.channel, nwkUpdateID: 0 }; }
  async addInstallCode(ieeeAddr: string, key: Buffer, hashed: boolean): Promise<void> { this.installCodes.push({ ieeeAddr, key, hashed }); }
  waitFor(): { promise: Promise<ZclPayload>; cancel: () => void } {
    return { promise: new Promise<ZclPayload>(() => {}), cancel: () => {} };
  }
  // Interviews of newly joined devices ask ZDO questions; a double has no radio, so they fail as an unreachable device would.
  sendZdo(): Promise<never> { return Promise.reject(new Error("adapter double: no ZDO")); }
  async permitJoin(seconds: number): Promise<void> { this.permitJoinCalls.push(seconds); }
  async sendZclFrameToEndpoint(ieeeAddr: string, networkAddress: number, endpoint: number, zclFrame: Zcl.Frame): Promise<ZclPayload | undefined> {
    const f: SentFrame = { ieeeAddr, networkAddress, endpoint, clusterId: zclFrame.cluster.ID, data: zclFrame.toBuffer() };
    const wi = this.sentWaiters.findIndex((w) => w.match(f));
    if (wi >= 0) this.sentWaiters.splice(wi, 1)[0]!.resolve(f);
    else this.sent.push(f);
    return undefined;
  }
  async sendZclFrameToGroup(): Promise<void> {}
  async sendZclFrameToAll(): Promise<void> {}
  async setChannelInterPAN(): Promise<void> {}
  async sendZclFrameInterPANToIeeeAddr(): Promise<void> {}
  sendZclFrameInterPANBroadcast(): Promise<never> { return Promise.reject(new Error("adapter double: no inter-PAN")); }
  async restoreChannelInterPAN(): Promise<void> {}
}

/** A herdsman database line for an SE device that joined earlier (interview done), so tests start from a known network. */
export function seDeviceDbLines(devices: Array<{ id: number; ieeeAddr: string; nwkAddr: number; modelId: string; endpoint: number; inClusters: number[]; outClusters: number[] }>): string {
  const coordinator = { id: 1, type: "Coordinator", ieeeAddr: COORDINATOR_IEEE, nwkAddr: 0, manufId: 0, epList: [1], endpoints: { 1: { profId: 0x0104, epId: 1, devId: 5, inClusterList: [], outClusterList: [], clusters: {}, binds: [], configuredReportings: [], meta: {} } }, interviewCompleted: true, interviewState: "SUCCESSFUL", meta: {} };
  const rows: object[] = [coordinator];
  for (const d of devices) {
    rows.push({
      id: d.id, type: "Router", ieeeAddr: d.ieeeAddr, nwkAddr: d.nwkAddr, manufId: 0x1234, manufName: "Offpeak test", powerSource: "Mains (single phase)", modelId: d.modelId,
      epList: [d.endpoint],
      endpoints: { [d.endpoint]: { profId: 0x0109, epId: d.endpoint, devId: 0x0501, inClusterList: d.inClusters, outClusterList: d.outClusters, clusters: {}, binds: [], configuredReportings: [], meta: {} } },
      interviewCompleted: true, interviewState: "SUCCESSFUL", meta: {},
    });
  }
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

export type MeteringAttr = { attrId: number; dataType: number; attrData: number };

/** A Metering attribute report as an SE meter sends it (ZCL global "report" from the server side). */
export function meteringReportFrame(attrs: MeteringAttr[], tsn: number): Buffer {
  return Zcl.Frame.create(Zcl.FrameType.GLOBAL, Zcl.Direction.SERVER_TO_CLIENT, true, undefined, tsn, "report", "seMetering", attrs, {}).toBuffer();
}

/** A meter that reads 12,345.678 kWh at 7.2 kW, in kWh with 3 decimals (multiplier 1, divisor 1000). */
export const METER_KWH_REPORT: MeteringAttr[] = [
  { attrId: 0x0300, dataType: Zcl.DataType.ENUM8, attrData: 0 },
  { attrId: 0x0301, dataType: Zcl.DataType.UINT24, attrData: 1 },
  { attrId: 0x0302, dataType: Zcl.DataType.UINT24, attrData: 1000 },
  { attrId: 0x0000, dataType: Zcl.DataType.UINT48, attrData: 12_345_678 },
  { attrId: 0x0400, dataType: Zcl.DataType.INT24, attrData: 7_200 },
];
