// The transport the PEV link runs on: an ordered, reliable byte stream. TCP is one; the SE Tunneling
// cluster (TransferData in both directions) is another. Everything above this interface is shared.

export interface ByteChannel {
  /** A short name for errors and logs, e.g. "tcp 127.0.0.1:50312" or "zigbee tunnel 0x00124b…/3". */
  readonly label: string;
  write(bytes: Uint8Array): void;
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Called once when the channel ends, from either side. */
  onClose(cb: (reason?: Error) => void): void;
  close(): void;
}
