// Checks a payload against one of the official OCPP 1.6 JSON schemas (draft-07, as shipped by the ocpp-rpc package).
// Why not a general validator: measured under Bun on this machine, compiling the 78 OCPP 1.6 schemas with ajv costs
// +27 MB RSS and @cfworker/json-schema +7 MB built (+19 MB after use); the hub's budget is 60 MB in all. The official
// schemas use only a dozen keywords, so this walks them directly and REFUSES, at load, any schema that uses a keyword it
// does not know — a future schema revision cannot be silently half-checked. The tests hold it to @cfworker/json-schema
// as an independent judge on a corpus of good and bad messages.
import type { OcppErrorCode } from "./errors.ts";

export type JsonSchema = { [key: string]: unknown };

/** The first violation found: the OCPP 1.6 error code it earns and where, as a JSON pointer into the payload. */
export interface SchemaViolation { code: OcppErrorCode; path: string; message: string }

const KNOWN_KEYWORDS = new Set([
  "$id", "$schema", "$ref", "definitions", "type", "properties", "required", "additionalProperties", "enum", "maxLength",
  "format", "items", "multipleOf", "minItems", "javaType", "description", "title",
]);

export class SchemaKeywordError extends Error {}

/** Throws SchemaKeywordError naming the schema and the keyword this checker would not enforce. */
export function assertSupported(schema: JsonSchema, where: string): void {
  for (const [k, v] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(k)) throw new SchemaKeywordError(`${where}: keyword ${JSON.stringify(k)} is not supported by the OCPP schema checker`);
    if (k === "properties" || k === "definitions") for (const [n, s] of Object.entries(v as Record<string, JsonSchema>)) assertSupported(s, `${where}/${k}/${n}`);
    if ((k === "items" || k === "additionalProperties") && typeof v === "object" && v) assertSupported(v as JsonSchema, `${where}/${k}`);
  }
}

// RFC 3339 date-time, as JSON Schema's "date-time" format means it.
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case "integer": return typeof v === "number" && Number.isInteger(v);
    case "number": return typeof v === "number" && Number.isFinite(v);
    case "array": return Array.isArray(v);
    case "object": return typeof v === "object" && v !== null && !Array.isArray(v);
    default: return typeOf(v) === t;
  }
}

/** Returns the first violation of `schema` by `value`, or null. `root` resolves local `$ref`s. */
export function check(schema: JsonSchema, value: unknown, root: JsonSchema = schema, path = ""): SchemaViolation | null {
  const at = path || "/";
  if (typeof schema.$ref === "string") {
    const m = /^#\/definitions\/(.+)$/.exec(schema.$ref);
    const target = m ? (root.definitions as Record<string, JsonSchema> | undefined)?.[m[1]!] : undefined;
    if (!target) return { code: "InternalError", path: at, message: `unresolvable $ref ${schema.$ref}` };
    return check(target, value, root, path);
  }
  if (typeof schema.type === "string" && !typeMatches(schema.type, value)) {
    return { code: "TypeConstraintViolation", path: at, message: `expected ${schema.type}, got ${typeOf(value)}` };
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
    return { code: "PropertyConstraintViolation", path: at, message: `${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}` };
  }
  if (typeof value === "string") {
    if (typeof schema.maxLength === "number" && [...value].length > schema.maxLength) {
      return { code: "PropertyConstraintViolation", path: at, message: `longer than ${schema.maxLength} characters` };
    }
    if (schema.format === "date-time" && !DATE_TIME.test(value)) return { code: "PropertyConstraintViolation", path: at, message: `${JSON.stringify(value)} is not an RFC 3339 date-time` };
    if (schema.format === "uri" && !URI.test(value)) return { code: "PropertyConstraintViolation", path: at, message: `${JSON.stringify(value)} is not a URI` };
  }
  if (typeof value === "number" && typeof schema.multipleOf === "number") {
    // Decimal steps such as 0.1 are not exact in binary: allow the rounding error ocpp-rpc also allows.
    const q = value / schema.multipleOf;
    if (Math.abs(Math.round(q) - q) > 1e-6) return { code: "PropertyConstraintViolation", path: at, message: `${value} is not a multiple of ${schema.multipleOf}` };
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      return { code: "OccurenceConstraintViolation", path: at, message: `needs at least ${schema.minItems} item(s)` };
    }
    if (schema.items && typeof schema.items === "object") {
      for (let i = 0; i < value.length; i++) {
        const v = check(schema.items as JsonSchema, value[i], root, `${path}/${i}`);
        if (v) return v;
      }
    }
  }
  if (typeMatches("object", value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const r of (schema.required ?? []) as string[]) {
      if (!(r in obj)) return { code: "OccurenceConstraintViolation", path: `${path}/${r}`, message: `required property ${r} is missing` };
    }
    for (const [k, v] of Object.entries(obj)) {
      const s = props[k];
      if (s) {
        const bad = check(s, v, root, `${path}/${k}`);
        if (bad) return bad;
      } else if (schema.additionalProperties === false) {
        return { code: "PropertyConstraintViolation", path: `${path}/${k}`, message: `property ${k} is not allowed here` };
      }
    }
  }
  return null;
}
