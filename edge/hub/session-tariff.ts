// Which tariff prices a session (BR-4): the program's tariff when the session is bound at the program rate, the
// premises default otherwise (fallback, still waiting for the binding, no session). The one place this is decided:
// the charge scheduler plans with it and the dashboard estimates costs with it.
import { EXAMPLE_TARIFFS, tariffById, type Tariff } from "../../core/tariff/index.ts";

/** The tariffs a hub knows: the premises default (config premises.default_tariff) and program tariffs by ID. */
export interface HubTariffs { premisesDefault: Tariff; byId: (id: string) => Tariff | undefined }

/** What decides a session's tariff: the rate it is billed at and the tariff its binding named. */
export interface RatedSession { rate: string; tariffId: string | null }

/**
 * The tariff that prices `s`. A program tariff this hub does not know is priced at the premises default, and
 * `unknownProgramTariff` hears of it, so the caller can say so instead of passing off the default as the program's.
 */
export function sessionTariff(tariffs: HubTariffs, s: RatedSession | null, unknownProgramTariff?: (tariffId: string) => void): Tariff {
  if (s?.rate !== "program" || !s.tariffId) return tariffs.premisesDefault;
  const program = tariffs.byId(s.tariffId);
  if (program) return program;
  unknownProgramTariff?.(s.tariffId);
  return tariffs.premisesDefault;
}

/** The hub's tariffs for a configured default tariff ID; an unknown ID falls back to the example default, logged. */
export function premisesTariffs(defaultTariffId: string, log: (line: string) => void): HubTariffs {
  const configured = tariffById(defaultTariffId);
  if (!configured) log(`hub: premises.default_tariff ${JSON.stringify(defaultTariffId)} is unknown; using ${EXAMPLE_TARIFFS.premisesDefault.id}`);
  return { premisesDefault: configured ?? EXAMPLE_TARIFFS.premisesDefault, byId: tariffById };
}
