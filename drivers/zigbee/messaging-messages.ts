// DisplayMessage: how the hub shows the customer, on an SE in-home display or the EV/EVSE screen, that a charging
// session was (or was not) established (FR-17, FR-24).
import type { UtcSeconds } from "../../core/time/index.ts";
import { truncateUtf8 } from "./se-text.ts";
import { toZigbeeUtc } from "./se-time.ts";

export type MessageImportance = "low" | "medium" | "high" | "critical";
const IMPORTANCE_BITS: Record<MessageImportance, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * Message Control bits 0-1, Transmission Mode (SE 1.2 D.5.2.3.1.1.1): 0b00 normal only, 0b01 normal and anonymous
 * Inter-PAN, 0b10 anonymous Inter-PAN only. The hub sends over the network only (herdsman has no Inter-PAN path on every
 * adapter), so it asks for normal transmission only.
 */
export const TRANSMISSION_NORMAL_ONLY = 0b00;
/** Message Control bit 7: the display sends MessageConfirmation when the customer acknowledges. */
export const MESSAGE_CONFIRMATION_REQUIRED = 0x80;

export interface DisplayMessage {
  messageId: number;
  /** Message Control bits 2-3. */
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
  const control = TRANSMISSION_NORMAL_ONLY | (IMPORTANCE_BITS[m.importance] << 2) | (m.confirmationRequired ? MESSAGE_CONFIRMATION_REQUIRED : 0);
  return {
    messageId: m.messageId,
    messageControl: control,
    startTime: m.startTime === "now" ? 0 : toZigbeeUtc(m.startTime),
    durationInMinutes: m.durationMin === "until-changed" ? 0xffff : m.durationMin,
    message: m.text,
    extendedMessageControl: 0,
  };
}

/** CancelMessage: SE 1.2 deprecates its Message Control field, which is then sent as 0x00. */
export function cancelMessagePayload(messageId: number): Record<string, number> {
  if (!Number.isInteger(messageId) || messageId < 0 || messageId > 0xffffffff) throw new RangeError(`message ID ${messageId} must be a UINT32`);
  return { messageId, messageControl: 0x00 };
}

/** The text a binding result shows: short enough for a 2-line display, cut between characters. */
export function bindingMessageText(result: { established: boolean; programName?: string; reason?: string }): string {
  const t = result.established ? `Charging session confirmed${result.programName ? `: ${result.programName}` : ""}` : `No program session: ${result.reason ?? "default rate applies"}`;
  return truncateUtf8(t, MAX_MESSAGE_BYTES);
}
