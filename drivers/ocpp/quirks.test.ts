import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GENERIC_QUIRKS, loadQuirkFile, parseQuirkProfile, QuirkProfileError, quirksFor } from "./quirks.ts";

test("quirk profiles are chosen by BootNotification vendor and model, generic otherwise", () => {
  assert.is(quirksFor("offpeak", "simcp-quirky").id, "offpeak-sim-watts");
  assert.is(quirksFor("Wallbox", "Pulsar Plus").id, "generic");
  const mine = parseQuirkProfile("mine.json", { ...GENERIC_QUIRKS, id: "acme-all", match: { vendor: "Acme", model: "AC-*" } });
  assert.is(quirksFor("ACME", "AC-22", [mine]).id, "acme-all");
});

test("a bad quirk file names the file and the key", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-quirks-"));
  const f = join(dir, "acme.json");
  writeFileSync(f, JSON.stringify({ ...GENERIC_QUIRKS, id: "acme", chargingRateUnit: "kW" }));
  assert.throws(() => loadQuirkFile(f), (e: Error) => e instanceof QuirkProfileError && e.message.startsWith(`${f}: key chargingRateUnit:`));
  writeFileSync(f, JSON.stringify({ ...GENERIC_QUIRKS, id: "acme", limits: { ...GENERIC_QUIRKS.limits, phases: 2 } }));
  assert.throws(() => loadQuirkFile(f), (e: Error) => e.message.startsWith(`${f}: key limits.phases:`));
  writeFileSync(f, JSON.stringify({ ...GENERIC_QUIRKS, id: "acme", sendsWatts: true }));
  assert.throws(() => loadQuirkFile(f), (e: Error) => /key sendsWatts: unknown key/.test(e.message));
  writeFileSync(f, "{ nope");
  assert.throws(() => loadQuirkFile(f), (e: Error) => e.message.startsWith(`${f}: `));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
