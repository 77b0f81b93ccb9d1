// Length-prefixed frames over a byte stream: 4-byte big-endian length, then the payload.
// A bound on the length keeps a corrupt or hostile prefix from making the hub buffer gigabytes.
import { PevLinkError } from "./errors.ts";

/** Larger than any v1 message (a confirm with a credential is under 2 KiB), small enough to bound memory. */
export const MAX_FRAME_BYTES = 16 * 1024;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME_BYTES) throw new PevLinkError("malformed", `frame of ${payload.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`);
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, false);
  out.set(payload, 4);
  return out;
}

/**
 * Reassembles frames from arbitrary chunks. A length over the limit (or zero) means the stream can no
 * longer be trusted to be in step, so push() throws and the caller closes the channel.
 */
export class FrameDecoder {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (joined.length - off >= 4) {
      const len = new DataView(joined.buffer, joined.byteOffset + off, 4).getUint32(0, false);
      if (len === 0 || len > MAX_FRAME_BYTES) {
        this.buf = new Uint8Array(0);
        throw new PevLinkError("malformed", `frame length ${len} at stream offset ${off} is outside 1..${MAX_FRAME_BYTES}: stream out of step`);
      }
      if (joined.length - off - 4 < len) break;
      frames.push(joined.slice(off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.buf = joined.slice(off);
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}
