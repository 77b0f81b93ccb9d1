// SE Tunneling 0x0704 as a byte stream: the hub is the tunnel server; a PEV or EVSE opens a tunnel with
// RequestTunnel (our manufacturer-defined protocol ID) and both sides exchange TransferData. The stream is cut into
// chunks small enough for one unfragmented APS frame, so the PEV link's own length-prefixed frames ride on top unchanged.
import type { Endpoint } from "zigbee-herdsman/dist/controller/model/index.js";
import { seCalls } from "./endpoint-calls.ts";

/** SE 1.2 reserves protocol IDs 200-254 for manufacturer-defined protocols: this is the Offpeak PEV link. */
export const PEV_LINK_TUNNEL_PROTOCOL = 200;
/** Bytes of tunnel data per TransferData: keeps ZCL + APS + NWK security inside one 127-byte 802.15.4 frame. */
export const TUNNEL_CHUNK_BYTES = 48;
export const TUNNEL_STATUS = { success: 0, busy: 1, noMoreTunnelIds: 2, protocolNotSupported: 3, flowControlNotSupported: 4 } as const;

/** Same shape as the PEV link's ByteChannel (drivers do not import each other; the edge plugs them together). */
export interface TunnelByteChannel {
  readonly label: string;
  readonly tunnelId: number;
  readonly ieeeAddr: string;
  write(bytes: Uint8Array): void;
  onData(cb: (bytes: Uint8Array) => void): void;
  onClose(cb: (reason?: Error) => void): void;
  close(): void;
}

export class ZigbeeTunnel implements TunnelByteChannel {
  private dataCbs: Array<(b: Uint8Array) => void> = [];
  private closeCbs: Array<(r?: Error) => void> = [];
  private sending: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly pendingIn: Uint8Array[] = [];

  constructor(
    readonly tunnelId: number,
    readonly ieeeAddr: string,
    private readonly endpoint: Endpoint,
    private readonly onClosed: (t: ZigbeeTunnel) => void,
  ) {}

  get label(): string {
    return `zigbee tunnel ${this.ieeeAddr}/${this.endpoint.ID} #${this.tunnelId}`;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    for (let off = 0; off < bytes.length; off += TUNNEL_CHUNK_BYTES) {
      const chunk = Buffer.from(bytes.subarray(off, off + TUNNEL_CHUNK_BYTES));
      // Chained so chunks leave in order even though each send is asynchronous.
      this.sending = this.sending
        .then(() => seCalls(this.endpoint).commandResponse("seTunneling", "transferData", { tunnelId: this.tunnelId, data: chunk }, { disableDefaultResponse: true }))
        .catch((e: Error) => this.end(new Error(`${this.label}: TransferData failed: ${e.message}`)));
    }
  }

  onData(cb: (bytes: Uint8Array) => void): void {
    this.dataCbs.push(cb);
    for (const b of this.pendingIn.splice(0)) cb(b);
  }
  onClose(cb: (reason?: Error) => void): void {
    this.closeCbs.push(cb);
  }
  close(): void {
    this.end(undefined);
  }

  /** TransferData from the device. */
  deliver(data: Buffer): void {
    if (this.closed) return;
    const b = new Uint8Array(data);
    if (this.dataCbs.length === 0) this.pendingIn.push(b);
    for (const cb of this.dataCbs) cb(b);
  }

  end(reason: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    for (const cb of this.closeCbs) cb(reason);
  }
}
