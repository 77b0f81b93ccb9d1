// A utility head-end for benchmarks: its own process, an EV program, and hubs enrolled through the operator API
// (customer, account, premises, PEV, enrollment, pairing), each with a fresh Ed25519 key.
import type { KeyObject } from "node:crypto";
import { join } from "node:path";
import { exportPublicKeyPem, generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { makeVin } from "../../cloud-sync/utility/test-support.ts";
import { spawnChild, type ChildProcess } from "../../system/testing/child-processes.test-support.ts";

export const BENCH_OPERATOR_TOKEN = "bench-operator-token";

export interface BenchUtility { process: ChildProcess; url: string; op(method: string, path: string, body: unknown): Promise<Record<string, unknown>> }
export interface BenchHub { n: string; hubId: string; premisesId: string; vin: string; privateKey: KeyObject }

/** `--db …` for the bench's head-end: a SQLite file in `dir`, or (BENCH_ENGINE=postgres) `schema` on the test server. */
export function benchDbArgs(dir: string, schema?: string): string[] {
  if (!schema) return ["--db", join(dir, "utility.db")];
  return ["--db", process.env.OFFPEAK_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test", "--db-schema", schema];
}

export async function startBenchUtility(dir: string, bunFlags: string[] = [], dbArgs: string[] = benchDbArgs(dir)): Promise<BenchUtility> {
  const process_ = spawnChild("utility", [process.execPath, ...bunFlags, "cloud-sync/utility/main.ts", "--port", "0", ...dbArgs, "--utility-id", "UTIL-BENCH", "--operator-token", BENCH_OPERATOR_TOKEN]);
  const url = (await process_.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000))[1]!;
  const op = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${BENCH_OPERATOR_TOKEN}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  await op("PUT", "/v1/operator/programs/ev", { name: "EV", tariffId: "sce-tou-d-prime" });
  return { process: process_, url, op };
}

/** Enrolls bench hub number `i`: its customer, account, premises and PEV in the EV program, and pairs its key. */
export async function enrollBenchHub(u: BenchUtility, i: number): Promise<BenchHub> {
  const n = String(i).padStart(3, "0");
  const vin = makeVin(`5YJ3E1EA7KF31${n}`);
  await u.op("POST", "/v1/operator/customers", { id: `C${n}`, name: `Bench ${n}` });
  await u.op("POST", "/v1/operator/accounts", { id: `A${n}`, customerId: `C${n}` });
  await u.op("POST", "/v1/operator/premises", { id: `P${n}`, accountId: `A${n}`, address: "Bench", defaultTariffId: "pge-e-tou-c" });
  await u.op("POST", "/v1/operator/pevs", { vin, accountId: `A${n}` });
  await u.op("POST", "/v1/operator/enrollments", { vin, premisesId: `P${n}`, programId: "ev" });
  const keys = generateEd25519KeyPair();
  await u.op("POST", "/v1/operator/hubs", { hubId: `H${n}`, premisesId: `P${n}`, publicKeyPem: exportPublicKeyPem(keys.publicKey) });
  return { n, hubId: `H${n}`, premisesId: `P${n}`, vin, privateKey: keys.privateKey };
}
