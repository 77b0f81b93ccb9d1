// The folders whose `*.test.ts` files make up `npm test` (and whose titles feed the requirements map).
export const TEST_ROOTS = ["core", "drivers", "cloud-sync", "edge", "ui", "system", "scripts"] as const;
