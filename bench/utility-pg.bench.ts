// The utility head-end benchmarks on PostgreSQL (utility.pg.*), printed beside the SQLite ones of utility.bench.ts.
export {};
process.env.BENCH_ENGINE = "postgres";
await import("./utility.bench.ts");
