// The official OCPP 1.6 JSON schemas (OCPP 1.6 edition 2 plus the 1.6 Security Whitepaper messages), as shipped by the
// ocpp-rpc package; only the JSON file is loaded, not ocpp-rpc's server (86 MB RSS measured) nor its ajv validator.
import ocpp16 from "ocpp-rpc/lib/schemas/ocpp1_6.json" with { type: "json" };
import { assertSupported, check, type JsonSchema, type SchemaViolation } from "./schema-check.ts";

export type MessageKind = "req" | "conf";

const byId = new Map<string, JsonSchema>();
for (const s of ocpp16 as unknown as JsonSchema[]) {
  const id = String(s.$id).replace(/^urn:/, "");
  assertSupported(s, `ocpp-rpc/lib/schemas/ocpp1_6.json ${id}`);
  byId.set(id, s);
}

/** Every action the OCPP 1.6 schemas define (both directions). */
export const OCPP16_ACTIONS: ReadonlySet<string> = new Set([...byId.keys()].map((k) => k.replace(/\.(req|conf)$/, "")));

export function schemaFor(action: string, kind: MessageKind): JsonSchema | undefined {
  return byId.get(`${action}.${kind}`);
}

/** The first violation of the action's official schema, or null when the payload conforms. */
export function validatePayload(action: string, kind: MessageKind, payload: unknown): SchemaViolation | null {
  const schema = schemaFor(action, kind);
  if (!schema) return { code: "NotImplemented", path: "/", message: `no OCPP 1.6 schema for ${action}.${kind}` };
  return check(schema, payload);
}
