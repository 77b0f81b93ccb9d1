// The PEV link (FR-09, FR-11..FR-13, FR-16, FR-18, FR-19, FR-23, FR-26..FR-28): one versioned, authenticated message set
// for S1 and S2, carried over loopback TCP (simulator) or any other ByteChannel (the Zigbee SE tunnel), plus the
// ID-only degradation for EVSEs that report only a vehicle identifier.
export type { ByteChannel } from "./byte-channel.ts";
export { PevLinkError, type PevLinkErrorCode } from "./errors.ts";
export { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from "./framing.ts";
export { PEV_LINK_VERSION, type PevLinkMessage, type PevLinkMessageType, type PevLinkHeader, type PevLinkBodies } from "./messages.ts";
export { SecureLink, DEFAULT_SKEW_S, type LinkRole } from "./secure-link.ts";
export { newPevSecretHex, computeProof, verifyProof } from "./proof.ts";
export { NonceCache } from "./nonce-cache.ts";
export type { PevLinkSession, PevLinkSessionEvents, PevHello, PevProofResult, PevAck, EumdAck, BindingConfirmation } from "./session-events.ts";
export { acceptPevLinkChannel, type AcceptOptions } from "./hub-session.ts";
export { startTcpPevLinkServer, type PevLinkServer, type TcpPevLinkServerOptions } from "./tcp-server.ts";
export { tcpByteChannel, connectTcpByteChannel } from "./tcp-channel.ts";
export { IdOnlyLink, ID_ONLY_NO_PROOF } from "./id-only-link.ts";
export { openPevLink, connectSimulatedPev, type SimulatedPevLink, type PevSideOptions } from "./pev-side.ts";
