// Renders the OpenAPI 3.1 document of a server from its mounted route declarations (api-route.ts): every path and
// query parameter, request and answer schema (zod → JSON Schema 2020-12, what OpenAPI 3.1 uses), every status a route
// can answer with the one error body, operationIds, servers and the security schemes, including the exact bytes a
// hub signs.
import { z } from "zod";
import { statusesOf, type AnyApiRoute, type ApiAuth } from "./api-route.ts";
import { errorBodySchema } from "./api-error.ts";
import { DEFAULT_MAX_SKEW_S, SIGNATURE_HEADERS, UTILITY_SIGNER } from "./signing.ts";

type JsonObject = Record<string, unknown>;

/** How a hub signs (signing.ts), written out for integrators who implement it from the document alone. */
export const HUB_SIGNING_DESCRIPTION = [
  "Every /v1/hub/* request is signed with the hub's Ed25519 key registered at pairing. Four headers:",
  `\`${SIGNATURE_HEADERS.hub}\` (hub ID), \`${SIGNATURE_HEADERS.time}\` (UTC seconds, within ±${DEFAULT_MAX_SKEW_S} s of the utility's clock),`,
  `\`${SIGNATURE_HEADERS.nonce}\` (16–64 base64url characters, never reused), \`${SIGNATURE_HEADERS.signature}\` (86 base64url characters, no padding).`,
  "The signature is Ed25519 over the UTF-8 bytes of these seven lines joined by a single \\n (no trailing newline):",
  "`offpeak-request-v1`, the method in upper case, the path with its query exactly as sent, the hub ID, the time,",
  "the nonce, and base64url (RFC 4648 §5, no padding) of the SHA-256 of the body bytes (of the empty string for GET).",
  "Refusals are 401 with `error.code` one of missing-header, malformed-header, unknown-hub, stale, bad-signature, replayed.",
].join(" ");

/** How a utility signs its roaming token changes at the clearinghouse: the hub scheme in another role (signing.ts). */
export const UTILITY_SIGNING_DESCRIPTION = [
  "PUT and DELETE /v1/tokens/{vin} are signed with the utility's Ed25519 key registered with it (publicKeyPem or publicKey), besides its bearer token.",
  `Four headers: \`${SIGNATURE_HEADERS.utility}\` (the utility ID, the one its bearer token names), \`${SIGNATURE_HEADERS.time}\` (UTC seconds, within ±${DEFAULT_MAX_SKEW_S} s),`,
  `\`${SIGNATURE_HEADERS.nonce}\` (16–64 base64url characters, never reused), \`${SIGNATURE_HEADERS.signature}\` (86 base64url characters, no padding).`,
  `The signature is Ed25519 over the UTF-8 bytes of seven lines joined by \\n: \`${UTILITY_SIGNER.context}\`, the method in upper case, the path`,
  "with its query exactly as sent, the utility ID, the time, the nonce, and base64url (no padding) of the SHA-256 of the body bytes.",
  "Refusals are 401 with `error.code` one of missing-header, malformed-header, unknown-utility, stale, bad-signature, replayed.",
].join(" ");

// The time and nonce headers are the same for hub- and utility-signed requests; each API names its own schemes.
const SIGNED_TIME: JsonObject = { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.time, description: "UTC seconds of signing; part of the signed string." };
const SIGNED_NONCE: JsonObject = { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.nonce, description: "Fresh per request; part of the signed string; a repeat is refused (replayed)." };

const SECURITY_SCHEMES: Record<string, JsonObject> = {
  operatorBearer: { type: "http", scheme: "bearer", description: "The utility operator's token (`--operator-token` or OFFPEAK_OPERATOR_TOKEN)." },
  customerBearer: { type: "http", scheme: "bearer", description: "The customer token returned once when the account was opened (or by the token rotation route)." },
  hubId: { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.hub, description: HUB_SIGNING_DESCRIPTION },
  hubTime: SIGNED_TIME,
  hubNonce: SIGNED_NONCE,
  hubSignature: { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.signature, description: "base64url Ed25519 signature; see the hubId scheme for the signed string." },
  clearinghouseBearer: { type: "http", scheme: "bearer", description: "The token this utility registered at the clearinghouse; the clearinghouse presents it when it pushes CDRs." },
  utilityBearer: { type: "http", scheme: "bearer", description: "A registered utility's own token (given at registration)." },
  utilityId: { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.utility, description: UTILITY_SIGNING_DESCRIPTION },
  signedTime: SIGNED_TIME,
  signedNonce: SIGNED_NONCE,
  utilitySignature: { type: "apiKey", in: "header", name: SIGNATURE_HEADERS.signature, description: "base64url Ed25519 signature; see the utilityId scheme for the signed string." },
  clearinghouseOperatorBearer: { type: "http", scheme: "bearer", description: "The clearinghouse operator's token (registers utilities)." },
};

const SECURITY: Record<ApiAuth, Record<string, string[]>[]> = {
  none: [],
  operator: [{ operatorBearer: [] }],
  customer: [{ customerBearer: [] }],
  "hub-signature": [{ hubId: [], hubTime: [], hubNonce: [], hubSignature: [] }],
  clearinghouse: [{ clearinghouseBearer: [] }],
  utility: [{ utilityBearer: [] }],
  "utility-signed": [{ utilityBearer: [], utilityId: [], signedTime: [], signedNonce: [], utilitySignature: [] }],
  "clearinghouse-operator": [{ clearinghouseOperatorBearer: [] }],
};

const ERROR_REF = { $ref: "#/components/schemas/ApiError" };

/** JSON Schema of a zod schema as OpenAPI 3.1 embeds it (no `$schema` key). */
export function jsonSchemaOf(s: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as JsonObject;
  return rest;
}

const acceptsUndefined = (s: z.ZodType): boolean => s.safeParse(undefined).success;

function parameters(r: AnyApiRoute): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, schema] of [["path", r.params], ["query", r.query]] as const) {
    if (!schema) continue;
    for (const [name, prop] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      const s = jsonSchemaOf(prop, "input");
      const description = typeof s.description === "string" ? s.description : undefined;
      out.push({ name, in: where, required: where === "path" || !acceptsUndefined(prop), ...(description ? { description } : {}), schema: s });
    }
  }
  return out;
}

function operation(r: AnyApiRoute): JsonObject {
  const responses: JsonObject = {
    [String(r.status ?? 200)]: {
      description: r.responseDescription ?? r.summary,
      content: { [r.produces ?? "application/json"]: { schema: jsonSchemaOf(r.response, "output") } },
    },
  };
  for (const [status, description] of [...statusesOf(r)].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = { description, content: { "application/json": { schema: ERROR_REF } } };
  }
  const params = parameters(r);
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: SECURITY[r.auth],
    ...(params.length ? { parameters: params } : {}),
    ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchemaOf(r.body, "input") } } } } : {}),
    responses,
  };
}

export interface OpenApiDocumentOptions {
  title: string;
  version: string;
  description: string;
  servers: { url: string; description: string }[];
  routes: readonly AnyApiRoute[];
  tags: { name: string; description: string }[];
}

export function openApiDocument(o: OpenApiDocumentOptions): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const r of o.routes) (paths[r.path] ??= {})[r.method] = operation(r);
  const used = new Set(o.routes.flatMap((r) => SECURITY[r.auth].flatMap((req) => Object.keys(req))));
  return {
    openapi: "3.1.0",
    info: { title: o.title, version: o.version, description: o.description, license: { name: "Proprietary", identifier: "LicenseRef-Offpeak" } },
    servers: o.servers,
    tags: o.tags,
    security: [],
    paths,
    components: {
      schemas: { ApiError: { ...jsonSchemaOf(errorBodySchema, "output"), description: "The body of every non-2xx answer of every Offpeak server." } },
      securitySchemes: Object.fromEntries(Object.entries(SECURITY_SCHEMES).filter(([k]) => used.has(k))),
    },
  };
}
