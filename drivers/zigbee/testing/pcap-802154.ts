// A pcap writer for ZCL frames as they would go over the air, so an independent dissector (Wireshark/tshark) can read
// what the hub sends: each ZCL payload is wrapped in an APS data frame (profile, cluster, endpoints), a Zigbee PRO NWK
// data frame without NWK security (so the dissector can see inside), and an IEEE 802.15.4 MAC data frame with its FCS
// (LINKTYPE_IEEE802_15_4_WITHFCS, 195). Header layouts: IEEE 802.15.4-2006 §7.2, Zigbee PRO (05-3474) §3.3.1, §2.2.5.
import { writeFileSync } from "node:fs";

export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;
/** aMaxPHYPacketSize: the most an 802.15.4 PSDU (MAC header + payload + FCS) can hold. */
export const MAX_PSDU_BYTES = 127;

export interface AirFrame {
  /** ZCL frame (header + payload) as the application sends it. */
  zcl: Buffer;
  clusterId: number;
  profileId: number;
  srcNwk: number;
  dstNwk: number;
  srcEndpoint: number;
  dstEndpoint: number;
  panId: number;
  /** Capture time, seconds since 1970. */
  atS: number;
}

/** CRC-16/KERMIT (ITU-T polynomial x^16+x^12+x^5+1, reflected, init 0): the 802.15.4 FCS, sent low byte first. */
export function fcs802154(data: Buffer): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** One MAC frame: 802.15.4 header, NWK header, APS header, ZCL, FCS. `seq` numbers the MAC, NWK and APS counters. */
export function macFrame(f: AirFrame, seq: number): Buffer {
  const mac = Buffer.alloc(9);
  // Data frame (001), no security, no frame pending, ack request, PAN ID compression, short destination and source.
  mac.writeUInt16LE(0x0001 | 0x0020 | 0x0040 | (0b10 << 10) | (0b10 << 14), 0);
  mac.writeUInt8(seq & 0xff, 2);
  mac.writeUInt16LE(f.panId, 3);
  mac.writeUInt16LE(f.dstNwk, 5);
  mac.writeUInt16LE(f.srcNwk, 7);
  const nwk = Buffer.alloc(8);
  // Data frame (00), protocol version 2 (Zigbee PRO) in bits 2-5, route discovery suppressed, no security.
  nwk.writeUInt16LE(2 << 2, 0);
  nwk.writeUInt16LE(f.dstNwk, 2);
  nwk.writeUInt16LE(f.srcNwk, 4);
  nwk.writeUInt8(30, 6); // radius
  nwk.writeUInt8(seq & 0xff, 7);
  const aps = Buffer.alloc(8);
  aps.writeUInt8(0x00, 0); // data frame, unicast, no security, no ack request, no extended header
  aps.writeUInt8(f.dstEndpoint, 1);
  aps.writeUInt16LE(f.clusterId, 2);
  aps.writeUInt16LE(f.profileId, 4);
  aps.writeUInt8(f.srcEndpoint, 6);
  aps.writeUInt8(seq & 0xff, 7);
  const body = Buffer.concat([mac, nwk, aps, f.zcl]);
  const fcs = Buffer.alloc(2);
  fcs.writeUInt16LE(fcs802154(body), 0);
  const psdu = Buffer.concat([body, fcs]);
  if (psdu.length > MAX_PSDU_BYTES) throw new RangeError(`cluster 0x${f.clusterId.toString(16)}: ${psdu.length}-byte frame exceeds the 802.15.4 limit of ${MAX_PSDU_BYTES}`);
  return psdu;
}

/** A classic pcap file (microsecond timestamps) of the frames, in order. */
export function writePcap(path: string, frames: AirFrame[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(LINKTYPE_IEEE802_15_4_WITHFCS, 20);
  const records = frames.map((f, i) => {
    const data = macFrame(f, i);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(f.atS), 0);
    rec.writeUInt32LE(i, 4); // microseconds: keeps records distinct and ordered within one second
    rec.writeUInt32LE(data.length, 8);
    rec.writeUInt32LE(data.length, 12);
    return Buffer.concat([rec, data]);
  });
  writeFileSync(path, Buffer.concat([header, ...records]));
}
