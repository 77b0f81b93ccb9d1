// The shipped EXAMPLE rates: shaped after published California tariffs, figures rounded (see each file).
import type { Tariff } from "../types.ts";
import { sceTouDPrime } from "./sce-tou-d-prime.ts";
import { pgeEv2A } from "./pge-ev2-a.ts";
import { pgeETouC } from "./pge-e-tou-c.ts";

export const EXAMPLE_TARIFFS: { sceTouDPrime: Tariff; pgeEv2A: Tariff; premisesDefault: Tariff } = {
  sceTouDPrime,
  pgeEv2A,
  premisesDefault: pgeETouC,
};

const byId = new Map<string, Tariff>(Object.values(EXAMPLE_TARIFFS).map((t) => [t.id, t]));

/** One of the example tariffs by id (sce-tou-d-prime, pge-ev2-a, pge-e-tou-c). */
export const tariffById = (id: string): Tariff | undefined => byId.get(id);
