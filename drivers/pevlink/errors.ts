// One error type for everything the PEV link refuses, so the hub can log and show *what* failed
// (FR-09: a rejected message must never be silently mistaken for a binding).

export type PevLinkErrorCode =
  | "malformed" // not a frame or not a message we understand
  | "version" // a message version we do not speak
  | "replay" // a sequence number or nonce already seen
  | "stale" // message time outside the allowed clock skew
  | "tampered" // authentication tag did not verify
  | "protocol" // a message that is not allowed at this point of the exchange
  | "proof-failed" // re-binding proof did not match the per-PEV secret
  | "closed" // the link is closed
  | "timeout"
  | "peer"; // the other side reported an error

export class PevLinkError extends Error {
  constructor(
    readonly code: PevLinkErrorCode,
    detail: string,
  ) {
    super(`PEV link: ${code}: ${detail}`);
    this.name = "PevLinkError";
  }
}
