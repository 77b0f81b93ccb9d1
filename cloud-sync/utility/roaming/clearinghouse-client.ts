// The head-end's side of the clearinghouse: publish roaming tokens (our VINs), look up a foreign VIN's home
// utility, post CDRs. Every call has a short timeout: binding must answer within the hub's comm-wait window.
import { errorBodySchema } from "../../protocol/index.ts";
import { ocpiPartySchema, type OcpiCdr, type OcpiParty } from "../../protocol/index.ts";

export interface ClearinghouseClient {
  putToken(vin: string): Promise<void>;
  /** The VIN's home utility and its OCPI party (null when the clearinghouse does not know the VIN). */
  homeOf(vin: string): Promise<{ utilityId: string; ocpi: OcpiParty | null } | null>;
  postCdr(cdr: OcpiCdr, homeUtilityId: string): Promise<{ id: string; duplicate: boolean }>;
}

export class ClearinghouseError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ClearinghouseError";
  }
}

export function clearinghouseClient(baseUrl: string, token: string, timeoutMs = 3000): ClearinghouseClient {
  const base = baseUrl.replace(/\/+$/, "");
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  return {
    async putToken(vin) {
      const res = await call("PUT", `/v1/tokens/${encodeURIComponent(vin)}`);
      if (!res.ok) throw new ClearinghouseError(res.status, `clearinghouse refused token ${vin}: HTTP ${res.status} ${await res.text()}`);
    },
    async homeOf(vin) {
      const res = await call("GET", `/v1/tokens/${encodeURIComponent(vin)}`);
      if (res.status === 404) return null;
      if (!res.ok) throw new ClearinghouseError(res.status, `clearinghouse token lookup failed: HTTP ${res.status}`);
      const body = (await res.json()) as { utilityId?: unknown; ocpi?: unknown };
      if (typeof body.utilityId !== "string") throw new ClearinghouseError(res.status, "clearinghouse token lookup answered without utilityId");
      const party = ocpiPartySchema.safeParse(body.ocpi);
      return { utilityId: body.utilityId, ocpi: party.success ? party.data : null };
    },
    async postCdr(cdr, homeUtilityId) {
      const res = await call("POST", "/v1/cdrs", { v: 1, homeUtilityId, cdr });
      const body: unknown = await res.json().catch(() => null);
      const refusal = errorBodySchema.safeParse(body);
      const existingId = refusal.success ? refusal.data.error.details?.existingId : undefined;
      if (res.status === 409 && typeof existingId === "string") return { id: existingId, duplicate: true };
      const id = (body as { id?: unknown } | null)?.id;
      if (!res.ok || typeof id !== "string") {
        const why = refusal.success ? `${refusal.data.error.code}: ${refusal.data.error.message}` : "";
        throw new ClearinghouseError(res.status, `clearinghouse refused CDR ${cdr.id}: HTTP ${res.status} ${why}`);
      }
      return { id, duplicate: false };
    },
  };
}
