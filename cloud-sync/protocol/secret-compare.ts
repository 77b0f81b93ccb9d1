// Secret comparison that takes the same time for any presented value: both sides are hashed to 32 bytes first, so
// neither the length of the secret nor a non-ASCII value (whose UTF-8 bytes differ in length from its characters)
// can make the comparison throw or return early (issue 13).
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}
