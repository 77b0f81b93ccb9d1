// Secret comparison that takes the same time for any presented value: both sides are hashed to 32 bytes first, so
// neither the length of the secret nor a non-ASCII value (whose UTF-8 bytes differ in length from its characters)
// can make the comparison throw or return early (issue 13).
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** OFFPEAK_CLEARINGHOUSE_TOKEN named two secrets; both programs refuse it with the names that replaced it (issue 14). */
export const RETIRED_CLEARINGHOUSE_TOKEN =
  "it named two secrets. Set OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN (the clearinghouse operator's token, read by `offpeak clearinghouse`) or OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN (a utility's token at the clearinghouse, read by `offpeak utility`)";
