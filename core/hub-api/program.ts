// The dashboard's Program page: GET /api/v1/dashboard/program, the program the premises is bound to, its PEVs and
// the tariffs that price its sessions, in the shape the page draws (one row per season of identical schedules).

export interface TariffShape {
  id: string;
  name: string;
  /** An example tariff shipped with Offpeak rather than one from the utility. */
  example: boolean;
  timeZone: string;
  effectiveFrom: string;
  role: "premises default" | "program";
  periods: { name: string; priceMicroUsdPerKWh: number }[];
  /** Months (1-12) sharing the same 24-hour period schedules. */
  seasons: { months: number[]; weekday: number[]; weekend: number[] }[];
}

export interface ProgramView {
  timeZone: string;
  premisesId: string;
  utilityId: string;
  program: { id: string | null; name: string | null; tariffId: string | null } | null;
  pevs: { vin: string; programId: string; commissionedAt: number; offlineUntil: number | null }[];
  tariffs: TariffShape[];
  guestView: boolean;
}
