// herdsman types command payloads through its generated cluster registry, which does not know our SE custom clusters
// (their payloads are checked by our own codecs instead). This narrow view is the one place that loosens those types.
import type { Endpoint } from "zigbee-herdsman/dist/controller/model/index.js";

export interface SendOptions { disableDefaultResponse?: boolean; timeout?: number }

export interface SeEndpointCalls {
  commandResponse(cluster: string, command: string, payload: Record<string, unknown>, options?: SendOptions, transactionSequenceNumber?: number): Promise<void>;
  read(cluster: string, attributes: string[]): Promise<Record<string, unknown>>;
}

export const seCalls = (ep: Endpoint): SeEndpointCalls => ep as unknown as SeEndpointCalls;
