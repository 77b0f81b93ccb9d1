import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXAMPLE_TARIFFS, tariffById } from "../../core/tariff/index.ts";
import { premisesTariffs, sessionTariff } from "./session-tariff.ts";

const tariffs = premisesTariffs("pge-e-tou-c", (l) => { throw new Error(`unexpected log: ${l}`); });

test("BR-4: a session bound at the program rate is priced at its program's tariff", () => {
  assert.is(sessionTariff(tariffs, { rate: "program", tariffId: "pge-ev2-a" }).id, "pge-ev2-a");
});

test("BR-4: fallback, a session still waiting for its binding, and no session at all are priced at the premises default", () => {
  // A fallback session keeps the tariff its binding named, if any: the rate decides, not the binding.
  assert.is(sessionTariff(tariffs, { rate: "default", tariffId: "pge-ev2-a" }).id, "pge-e-tou-c");
  assert.is(sessionTariff(tariffs, { rate: "pending", tariffId: null }).id, "pge-e-tou-c");
  assert.is(sessionTariff(tariffs, { rate: "program", tariffId: null }).id, "pge-e-tou-c");
  assert.is(sessionTariff(tariffs, null).id, "pge-e-tou-c");
});

test("a program tariff the hub does not know is priced at the default, and the caller hears which tariff it was", () => {
  const heard: string[] = [];
  const t = sessionTariff(tariffs, { rate: "program", tariffId: "util-x-ev-2031" }, (id) => heard.push(id));
  assert.is(t, tariffs.premisesDefault);
  assert.equal(heard, ["util-x-ev-2031"]);
  sessionTariff(tariffs, { rate: "program", tariffId: "pge-ev2-a" }, (id) => heard.push(id));
  assert.equal(heard, ["util-x-ev-2031"], "a known tariff is not reported");
});

test("an unknown premises.default_tariff falls back to the example default and says so in the log", () => {
  const log: string[] = [];
  const t = premisesTariffs("example-pge-e-tou-c", (l) => log.push(l));
  assert.is(t.premisesDefault, EXAMPLE_TARIFFS.premisesDefault);
  assert.is(log.length, 1);
  assert.match(log[0]!, /premises\.default_tariff "example-pge-e-tou-c" is unknown; using pge-e-tou-c/);
  assert.is(t.byId("sce-tou-d-prime"), tariffById("sce-tou-d-prime"));
});

test.run();
