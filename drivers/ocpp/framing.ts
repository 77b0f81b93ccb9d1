// OCPP-J message framing (OCPP-J 1.6 §4): CALL [2, id, action, payload], CALLRESULT [3, id, payload],
// CALLERROR [4, id, code, description, details]. Parsing never throws: a frame that is not one of these comes back as
// "bad" with the message id when one could be read, so the caller can answer it with a CALLERROR and stay connected.
import { OCPP_ERROR_CODES, type OcppErrorCode } from "./errors.ts";

export type Payload = Record<string, unknown>;

export type Frame =
  | { kind: "call"; id: string; action: string; payload: Payload }
  | { kind: "result"; id: string; payload: Payload }
  | { kind: "error"; id: string; code: OcppErrorCode; description: string; details: Payload }
  | { kind: "bad"; id: string | null; code: OcppErrorCode; description: string };

const MAX_ID_LENGTH = 36;
const isObject = (v: unknown): v is Payload => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseFrame(text: string): Frame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return { kind: "bad", id: null, code: "FormationViolation", description: `not JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(msg) || msg.length < 3) return { kind: "bad", id: null, code: "FormationViolation", description: "an OCPP-J message is a JSON array [type, id, ...]" };
  const [type, id] = msg;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return { kind: "bad", id: null, code: "FormationViolation", description: `message id must be a string of 1-${MAX_ID_LENGTH} characters` };
  }
  switch (type) {
    case 2: {
      if (msg.length !== 4) return { kind: "bad", id, code: "FormationViolation", description: `a CALL has 4 elements, got ${msg.length}` };
      const [, , action, payload] = msg;
      if (typeof action !== "string" || !/^[A-Za-z]{1,64}$/.test(action)) return { kind: "bad", id, code: "FormationViolation", description: "a CALL's action must be a name" };
      if (!isObject(payload)) return { kind: "bad", id, code: "FormationViolation", description: `the payload of ${action} must be a JSON object` };
      return { kind: "call", id, action, payload };
    }
    case 3:
      if (msg.length !== 3 || !isObject(msg[2])) return { kind: "bad", id, code: "FormationViolation", description: "a CALLRESULT is [3, id, {payload}]" };
      return { kind: "result", id, payload: msg[2] };
    case 4: {
      const [, , code, description, details] = msg;
      if (msg.length !== 5 || typeof code !== "string" || typeof description !== "string" || !isObject(details)) {
        return { kind: "bad", id, code: "FormationViolation", description: "a CALLERROR is [4, id, code, description, {details}]" };
      }
      const known = (OCPP_ERROR_CODES as readonly string[]).includes(code) ? (code as OcppErrorCode) : "GenericError";
      return { kind: "error", id, code: known, description, details };
    }
    default:
      return { kind: "bad", id, code: "FormationViolation", description: `unknown message type ${JSON.stringify(type)}` };
  }
}

export const encodeCall = (id: string, action: string, payload: Payload): string => JSON.stringify([2, id, action, payload]);
export const encodeResult = (id: string, payload: Payload): string => JSON.stringify([3, id, payload]);
/** A CALLERROR. An unparseable frame has no id to answer: OCPP-J leaves it open; we answer with "-1" as ocpp-rpc does. */
export const encodeError = (id: string | null, code: OcppErrorCode, description: string, details: Payload = {}): string =>
  JSON.stringify([4, id ?? "-1", code, description.slice(0, 255), details]);
