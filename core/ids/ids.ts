// Identifiers of the parties in the use case. They are opaque strings issued by the utility;
// we only insist on a shape that is safe in URLs, logs, SQL and CSV, so a typo fails at the edge.

export type PremisesId = string & { readonly __brand: "PremisesId" };
export type CustomerId = string & { readonly __brand: "CustomerId" };
export type AccountId = string & { readonly __brand: "AccountId" };
export type UtilityId = string & { readonly __brand: "UtilityId" };
export type SessionId = string & { readonly __brand: "SessionId" };
export type HubId = string & { readonly __brand: "HubId" };

export type IdKind = "premises" | "customer" | "account" | "utility" | "session" | "hub";

export class IdError extends Error {
  constructor(readonly kind: IdKind, readonly input: unknown, detail: string) {
    super(`invalid ${kind} ID ${JSON.stringify(input)}: ${detail}`);
    this.name = "IdError";
  }
}

const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const MAX_LEN = 64;

function parseId<T extends string>(kind: IdKind, input: unknown): T {
  if (typeof input !== "string") throw new IdError(kind, input, "must be a string");
  if (input.length === 0) throw new IdError(kind, input, "must not be empty");
  if (input.length > MAX_LEN) throw new IdError(kind, input, `must be at most ${MAX_LEN} characters, got ${input.length}`);
  if (!ID_SHAPE.test(input)) {
    throw new IdError(kind, input, "may hold only letters, digits and . _ : - and must start with a letter or digit");
  }
  return input as T;
}

export const parsePremisesId = (s: unknown) => parseId<PremisesId>("premises", s);
export const parseCustomerId = (s: unknown) => parseId<CustomerId>("customer", s);
export const parseAccountId = (s: unknown) => parseId<AccountId>("account", s);
export const parseUtilityId = (s: unknown) => parseId<UtilityId>("utility", s);
export const parseSessionId = (s: unknown) => parseId<SessionId>("session", s);
export const parseHubId = (s: unknown) => parseId<HubId>("hub", s);

/** The shape every ID above accepts, for schema libraries that want a regex. */
export const ID_PATTERN = ID_SHAPE;
export const ID_MAX_LENGTH = MAX_LEN;
