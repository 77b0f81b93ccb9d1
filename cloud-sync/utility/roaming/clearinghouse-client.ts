// The head-end's side of the clearinghouse: publish roaming tokens (our VINs), look up a foreign VIN's home
// utility, post CDRs. Every call has a short timeout: binding must answer within the hub's comm-wait window.
// Token registrations and deletions are signed with the utility's own key (the one the clearinghouse operator
// registered with its token): the clearinghouse takes a VIN as ours only on our signature (issue 13).
import { errorBodySchema, signUtilityRequest, type KeyObject } from "../../protocol/index.ts";
import { ocpiPartySchema, type OcpiCdr, type OcpiParty } from "../../protocol/index.ts";
import type { Clock } from "../../../core/time/index.ts";

export interface ClearinghouseClient {
  putToken(vin: string): Promise<void>;
  deleteToken?(vin: string): Promise<void>;
  /** The VIN's home utility and its OCPI party (null when the clearinghouse does not know the VIN). */
  homeOf(vin: string): Promise<{ utilityId: string; ocpi: OcpiParty | null } | null>;
  postCdr(cdr: OcpiCdr, homeUtilityId: string): Promise<{ id: string; duplicate: boolean }>;
  /** What became of a CDR we sent: `dead` when its home utility refused it (with the reason). */
  cdrState?(id: string): Promise<{ state: "pending" | "delivered" | "dead"; lastError: string | null }>;
}

export class ClearinghouseError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ClearinghouseError";
  }
}

/** Who we are at the clearinghouse when we sign: our utility ID, our key, and the clock the signature is dated by. */
export interface ClearinghouseSigner { utilityId: string; privateKey: KeyObject; clock: Clock }

export function clearinghouseClient(baseUrl: string, token: string, signer: ClearinghouseSigner, timeoutMs = 3000): ClearinghouseClient {
  const base = baseUrl.replace(/\/+$/, "");
  const call = (method: string, path: string, body?: unknown, signed = false) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    return fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(signed ? signUtilityRequest({ method, path, body: text, utilityId: signer.utilityId, privateKey: signer.privateKey, time: signer.clock.now() }) : {}),
      },
      ...(body === undefined ? {} : { body: text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  };
  const tokenCall = async (method: "PUT" | "DELETE", vin: string) => {
    const res = await call(method, `/v1/tokens/${encodeURIComponent(vin)}`, undefined, true);
    if (!res.ok) throw new ClearinghouseError(res.status, `clearinghouse refused ${method} of token ${vin}: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    putToken: (vin) => tokenCall("PUT", vin),
    deleteToken: (vin) => tokenCall("DELETE", vin),
    async homeOf(vin) {
      const res = await call("GET", `/v1/tokens/${encodeURIComponent(vin)}`);
      if (res.status === 404) return null;
      if (!res.ok) throw new ClearinghouseError(res.status, `clearinghouse token lookup failed: HTTP ${res.status}`);
      const body = (await res.json()) as { utilityId?: unknown; ocpi?: unknown };
      if (typeof body.utilityId !== "string") throw new ClearinghouseError(res.status, "clearinghouse token lookup answered without utilityId");
      const party = ocpiPartySchema.safeParse(body.ocpi);
      return { utilityId: body.utilityId, ocpi: party.success ? party.data : null };
    },
    async cdrState(id) {
      const res = await call("GET", `/v1/cdrs/${encodeURIComponent(id)}`);
      if (!res.ok) throw new ClearinghouseError(res.status, `clearinghouse CDR ${id} state: HTTP ${res.status}`);
      return (await res.json()) as { state: "pending" | "delivered" | "dead"; lastError: string | null };
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
