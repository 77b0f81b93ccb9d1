// The hub's Zigbee coordinator: zigbee-herdsman's Controller with its database, database backup and network
// (coordinator) backup under the hub's data directory. Coordinators are reached over tcp:// — a network coordinator,
// ser2net, or the hub's own loopback serial bridge for USB sticks (serial-bridge.ts), since the native serialport
// binding does not load under Bun.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Controller } from "zigbee-herdsman";
import { Adapter } from "zigbee-herdsman/dist/adapter/adapter.js";
import type { Device } from "zigbee-herdsman/dist/controller/model/index.js";
import { DeviceError } from "../../core/ports/index.ts";
import { fromMillis, type UtcSeconds } from "../../core/time/index.ts";
import { SE_CUSTOM_CLUSTERS } from "./se-clusters.ts";

export type CoordinatorKind = "zstack" | "ember" | "deconz" | "zigate" | "zboss" | "zoh";

export interface ZigbeeCoordinatorOptions {
  /** Where database.db, database.db.backup, coordinator_backup.json and network.json live. */
  dataDir: string;
  /** `tcp://127.0.0.1:6638` (ser2net or the hub's serial bridge) or a network coordinator's address. */
  path: string;
  adapter: CoordinatorKind;
  baudRate?: number;
  /** 11..26; default 15 (clear of Wi-Fi channels 1/6/11 in most homes). */
  channel?: number;
  /** Decide which joining devices may stay (e.g. only those with a registered install code). */
  acceptJoiningDevice?: (ieeeAddr: string) => Promise<boolean>;
  /** Tests only: the adapter to use instead of a real one. */
  adapterForTests?: Adapter;
}

export interface ZigbeeDeviceInfo {
  ieeeAddr: string;
  networkAddress: number;
  type: string;
  modelId?: string;
  manufacturer?: string;
  interview: string;
  lastSeen?: UtcSeconds;
  endpoints: number[];
}

interface NetworkSettings { panID: number; extendedPanID: number[]; networkKey: number[]; channel: number }

/** The network identity is generated once and kept: a new key would orphan every joined device. */
function loadOrCreateNetwork(dataDir: string, channel: number): NetworkSettings {
  const file = join(dataDir, "network.json");
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, "utf8")) as NetworkSettings;
    if (!Array.isArray(s.networkKey) || s.networkKey.length !== 16 || !Array.isArray(s.extendedPanID) || s.extendedPanID.length !== 8) {
      throw new DeviceError("zigbee", "config", `${file}: networkKey must be 16 bytes and extendedPanID 8 bytes`);
    }
    return s;
  }
  const s: NetworkSettings = {
    panID: 1 + (randomBytes(2).readUInt16BE(0) % 0xfffd),
    extendedPanID: [...randomBytes(8)],
    networkKey: [...randomBytes(16)],
    channel,
  };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export class ZigbeeCoordinator {
  private constructor(
    readonly controller: Controller,
    readonly dataDir: string,
  ) {}

  static async start(opts: ZigbeeCoordinatorOptions): Promise<ZigbeeCoordinator> {
    if (!/^tcp:\/\/[^/]+:\d+$/.test(opts.path) && !opts.adapterForTests) {
      throw new DeviceError("zigbee", "config", `coordinator path ${JSON.stringify(opts.path)} must be tcp://host:port (USB sticks go through the hub's serial bridge)`);
    }
    const channel = opts.channel ?? 15;
    if (!Number.isInteger(channel) || channel < 11 || channel > 26) throw new DeviceError("zigbee", "config", `channel ${channel} must be 11..26`);
    mkdirSync(opts.dataDir, { recursive: true });
    const net = loadOrCreateNetwork(opts.dataDir, channel);
    const controller = new Controller({
      network: { panID: net.panID, extendedPanID: net.extendedPanID, channelList: [net.channel], networkKey: net.networkKey },
      serialPort: { path: opts.path, adapter: opts.adapter, baudRate: opts.baudRate },
      databasePath: join(opts.dataDir, "database.db"),
      databaseBackupPath: join(opts.dataDir, "database.db.backup"),
      backupPath: join(opts.dataDir, "coordinator_backup.json"),
      adapter: { disableLED: false },
      acceptJoiningDeviceHandler: opts.acceptJoiningDevice ?? (async () => true),
    });
    const c = new ZigbeeCoordinator(controller, opts.dataDir);
    // SE clusters must be known before the first frame arrives, for devices already in the database and new ones.
    controller.on("deviceJoined", ({ device }) => c.addSeClusters(device));
    controller.on("deviceInterview", ({ device }) => c.addSeClusters(device));
    try {
      if (opts.adapterForTests) {
        // herdsman has no adapter injection point; its own tests mock the module. We swap the factory for this one call.
        const original = Adapter.create;
        const injected = opts.adapterForTests;
        Adapter.create = async () => {
          Adapter.create = original;
          return injected;
        };
        try {
          await controller.start();
        } finally {
          Adapter.create = original;
        }
      } else {
        await controller.start();
      }
    } catch (e) {
      throw new DeviceError("zigbee", "disconnected", `coordinator ${opts.adapter} at ${opts.path} did not start: ${(e as Error).message}`);
    }
    for (const d of controller.getDevices()) c.addSeClusters(d);
    return c;
  }

  private addSeClusters(device: Device): void {
    for (const [name, cluster] of Object.entries(SE_CUSTOM_CLUSTERS)) {
      if (!device.customClusters[name]) device.addCustomCluster(name, cluster);
    }
  }

  /** Opens the network for `seconds` (1..254); herdsman closes it again by itself. 0 closes it now. */
  async permitJoin(seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 254) throw new DeviceError("zigbee", "config", `permit-join time ${seconds} s must be 0..254`);
    await this.controller.permitJoin(seconds);
  }

  get permitJoinEndsAt(): UtcSeconds | undefined {
    const end = this.controller.getPermitJoinEnd();
    return end === undefined ? undefined : fromMillis(end);
  }

  /** An install code as printed on the device or its QR code (e.g. `83FED3407A939723A5C639B26916D505C3B5` with the IEEE address in the QR form). */
  async addInstallCode(code: string): Promise<void> {
    try {
      await this.controller.addInstallCode(code);
    } catch (e) {
      throw new DeviceError("zigbee", "config", `install code rejected: ${(e as Error).message}`);
    }
  }

  devices(): ZigbeeDeviceInfo[] {
    return this.controller.getDevices().map((d) => {
      const info: ZigbeeDeviceInfo = { ieeeAddr: d.ieeeAddr, networkAddress: d.networkAddress, type: d.type, interview: d.interviewState, endpoints: d.endpoints.map((e) => e.ID) };
      if (d.modelID) info.modelId = d.modelID;
      if (d.manufacturerName) info.manufacturer = d.manufacturerName;
      if (d.lastSeen !== undefined) info.lastSeen = fromMillis(d.lastSeen);
      return info;
    });
  }

  device(ieeeAddr: string): Device {
    const d = this.controller.getDeviceByIeeeAddr(ieeeAddr);
    if (!d) throw new DeviceError(`zigbee ${ieeeAddr}`, "config", "no such device on this network");
    return d;
  }

  /** Writes the device database and, where the coordinator supports it, the network backup. */
  backup(): Promise<void> {
    return this.controller.backup();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }
}
