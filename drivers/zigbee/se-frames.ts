// Building and parsing SE cluster frames with herdsman's own ZCL codec, so what we test is what goes on the air.
import { Zcl } from "zigbee-herdsman";
import { SE_CUSTOM_CLUSTERS } from "./se-clusters.ts";

/** A server→client command (what the hub, as Price/DRLC/Messaging server, sends). */
export function buildServerCommand(cluster: string, command: string, payload: Record<string, unknown>, tsn: number, disableDefaultResponse = true): Buffer {
  return Zcl.Frame.create(Zcl.FrameType.SPECIFIC, Zcl.Direction.SERVER_TO_CLIENT, disableDefaultResponse, undefined, tsn, command, cluster, payload, { ...SE_CUSTOM_CLUSTERS }).toBuffer();
}

/** A client→server command (what a device sends the hub). */
export function buildClientCommand(cluster: string, command: string, payload: Record<string, unknown>, tsn: number, disableDefaultResponse = false): Buffer {
  return Zcl.Frame.create(Zcl.FrameType.SPECIFIC, Zcl.Direction.CLIENT_TO_SERVER, disableDefaultResponse, undefined, tsn, command, cluster, payload, { ...SE_CUSTOM_CLUSTERS }).toBuffer();
}

export interface ParsedSeFrame {
  cluster: string;
  command: string;
  direction: "client-to-server" | "server-to-client";
  tsn: number;
  payload: Record<string, unknown>;
}

/** Parses any frame of the SE clusters (and of herdsman's built-in ones), or throws naming the cluster and field. */
export function parseSeFrame(clusterId: number, data: Buffer): ParsedSeFrame {
  const header = Zcl.Header.fromBuffer(data);
  if (!header) throw new RangeError(`cluster 0x${clusterId.toString(16)}: frame of ${data.length} bytes has no valid ZCL header`);
  const frame = Zcl.Frame.fromBuffer(clusterId, header, data, { ...SE_CUSTOM_CLUSTERS });
  return {
    cluster: frame.cluster.name,
    command: frame.command.name,
    direction: header.frameControl.direction === Zcl.Direction.CLIENT_TO_SERVER ? "client-to-server" : "server-to-client",
    tsn: header.transactionSequenceNumber,
    payload: frame.payload as Record<string, unknown>,
  };
}
