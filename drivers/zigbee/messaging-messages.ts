// DisplayMessage: how the hub shows the customer, on an SE in-home display or the EV/EVSE screen, that a charging
// session was (or was not) established (FR-17, FR-24).
import type { UtcSeconds } from "../../core/time/index.ts";
import { toZigbeeUtc } from "./se-time.ts";

export type MessageImportance = "low" | "medium" | "high" | "critical";
const IMPORTANCE_BITS: Record<MessageImportance, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface DisplayMessage {
  messageId: number;
  /** Normal transmission only (bits 0-1 = 01): SE 1.2 says anonymous Inter-PAN is for displays without a network. */
  importance: MessageImportance;
  /** Ask the display to send MessageConfirmation when the customer acknowledges (bit 7). */
  confirmationRequired: boolean;
  startTime: UtcSeconds | "now";
  durationMin: number | "until-changed";
  /** SE allows up to 59 bytes on the air in one frame; longer text is refused, not cut silently. */
  text: string;
}

export const MAX_MESSAGE_BYTES = 59;

export function displayMessagePayload(m: DisplayMessage): Record<string, number | string> {
  const bytes = Buffer.byteLength(m.text, "utf8");
  if (bytes > MAX_MESSAGE_BYTES) throw new RangeError(`display message is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES} fit one frame`);
  const control = 0x01 | (IMPORTANCE_BITS[m.importance] << 2) | (m.confirmationRequired ? 0x80 : 0);
  return {
    messageId: m.messageId,
    messageControl: control,
    startTime: m.startTime === "now" ? 0 : toZigbeeUtc(m.startTime),
    durationInMinutes: m.durationMin === "until-changed" ? 0xffff : m.durationMin,
    message: m.text,
    extendedMessageControl: 0,
  };
}

/** The text a binding result shows: short enough for a 2-line display. */
export function bindingMessageText(result: { established: boolean; programName?: string; reason?: string }): string {
  const t = result.established ? `Charging session confirmed${result.programName ? `: ${result.programName}` : ""}` : `No program session: ${result.reason ?? "default rate applies"}`;
  return Buffer.from(t, "utf8").subarray(0, MAX_MESSAGE_BYTES).toString("utf8").replace(/\uFFFD$/, "");
}
