// What the hub's outbox carries to the utility, and how each kind is ordered. A stream is an ordering key:
// a session's acks and reports go one at a time, in order; DR statuses of one event likewise.
import type { CommissioningAck } from "../../cloud-sync/protocol/index.ts";
import { commissioningAckSchema } from "../../cloud-sync/protocol/index.ts";
import type { DrStatusReport } from "../../cloud-sync/protocol/index.ts";
import { drStatusReportSchema } from "../../cloud-sync/protocol/index.ts";
import type { PremisesIntervalBatch } from "../../cloud-sync/protocol/index.ts";
import { premisesIntervalBatchSchema } from "../../cloud-sync/protocol/index.ts";
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import { sessionReportSchema } from "../../cloud-sync/protocol/index.ts";
import { parseMessage } from "../../cloud-sync/protocol/index.ts";

export type OutboxMessage =
  | { kind: "session-report"; body: SessionReport }
  | { kind: "ack"; body: CommissioningAck }
  | { kind: "dr-status"; body: DrStatusReport }
  | { kind: "premises-intervals"; body: PremisesIntervalBatch };

export type OutboxKind = OutboxMessage["kind"];

export const OUTBOX_KINDS: readonly OutboxKind[] = ["session-report", "ack", "dr-status", "premises-intervals"];

/** Validates a message before it is queued, so a bug is caught where it is made, not as a 400 a week later. */
export function validateOutboxMessage(m: OutboxMessage): OutboxMessage {
  switch (m.kind) {
    case "session-report": return { kind: m.kind, body: parseMessage(sessionReportSchema, m.body, "session report") };
    case "ack": return { kind: m.kind, body: parseMessage(commissioningAckSchema, m.body, "commissioning acknowledgement") };
    case "dr-status": return { kind: m.kind, body: parseMessage(drStatusReportSchema, m.body, "demand-response status report") };
    case "premises-intervals": return { kind: m.kind, body: parseMessage(premisesIntervalBatchSchema, m.body, "premises interval batch") };
  }
}

/** The ordering key of a message. */
export function streamOf(m: OutboxMessage): string {
  switch (m.kind) {
    case "session-report": return `session:${m.body.sessionId}`;
    // A commissioning ack belongs before the session's reports; without a session it has its own PEV stream.
    case "ack": return m.body.sessionId ? `session:${m.body.sessionId}` : `ack:${m.body.vin}`;
    case "dr-status": return `dr:${m.body.eventId}`;
    case "premises-intervals": return `premises:${m.body.premisesId}`;
  }
}
