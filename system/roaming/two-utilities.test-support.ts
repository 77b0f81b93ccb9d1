// Two real head-ends (UTIL-A, UTIL-B) and the clearinghouse on loopback, on one simulated clock, each utility
// registered with its token and its signing key: the world of the roaming attack tests. Not a test file itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestClock } from "../../core/time/index.ts";
import { startClearinghouse, type RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { testUtility, type TestUtility } from "../../cloud-sync/utility/test-support.ts";

export const CH_OPERATOR = "clearinghouse-operator-token";
export const TOKEN_A = "token-of-utility-a-0123456789";
export const TOKEN_B = "token-of-utility-b-0123456789";

export interface TwoUtilities { dir: string; ch: RunningClearinghouse; a: TestUtility; b: TestUtility; close(): Promise<void> }

/** Registers a utility at the clearinghouse (operator token): its base URL, token and public key. */
export async function registerUtility(ch: RunningClearinghouse, utilityId: string, baseUrl: string, token: string, publicKeyPem: string): Promise<void> {
  const res = await fetch(`${ch.url}/v1/utilities`, {
    method: "POST", headers: { authorization: `Bearer ${CH_OPERATOR}` }, body: JSON.stringify({ utilityId, baseUrl, token, publicKeyPem }),
  });
  if (res.status !== 201) throw new Error(`registering ${utilityId}: ${res.status} ${await res.text()}`);
}

export async function startTwoUtilities(clock: TestClock): Promise<TwoUtilities> {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  // The clearinghouse's own retry timer waits an hour: the tests push what is pending when they choose.
  const ch = await startClearinghouse({ port: 0, dbPath: join(dir, "ch.db"), operatorToken: CH_OPERATOR, clock, retryMs: 3_600_000 });
  const a = await testUtility({ clock, utilityId: "UTIL-A", clearinghouseUrl: ch.url, clearinghouseToken: TOKEN_A });
  const b = await testUtility({ clock, utilityId: "UTIL-B", clearinghouseUrl: ch.url, clearinghouseToken: TOKEN_B });
  await registerUtility(ch, "UTIL-A", a.utility.url, TOKEN_A, a.utility.publicKeyPem);
  await registerUtility(ch, "UTIL-B", b.utility.url, TOKEN_B, b.utility.publicKeyPem);
  return {
    dir, ch, a, b,
    async close() {
      await a.close();
      await b.close();
      await ch.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
