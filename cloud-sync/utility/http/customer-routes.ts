// The S4 customer information API (FR-35): program, tariff, usage (also as Green Button downloads), bills, sessions and demand-response events of
// the account whose customer token (issued when the account was opened) is presented. The token middleware is
// mounted in server.ts (customerAuth); each route is declared once (api-route.ts).
import type { Context, Env, MiddlewareHandler } from "hono";
import { z } from "zod";
import { ApiError, billLineKindSchema, type ApiRoutes } from "../../protocol/index.ts";
import type { Account } from "../types.ts";
import type { HeadEnd } from "../head-end.ts";
import { customerLedger } from "../ledger/ledger.ts";
import { monthBounds, monthOf } from "../billing/month-bounds.ts";
import { roundToCents, toIsoSeconds } from "./money-and-time.ts";
import { monthSchema } from "./operator-schemas.ts";
import {
  accountSchema, billSchema, customerSchema, drEventWithReportsSchema, enrollmentSchema, premisesSchema, programSchema, pevSchema, sessionRowSchema,
} from "./response-schemas.ts";
import { DOWNLOAD_HEADERS, greenButtonFile } from "../greenbutton/index.ts";

export type CustomerEnv = { Variables: { account?: Account } };

/** Refuses a request without a live customer token (401); a deactivated account's token no longer works. */
export function customerAuth(h: HeadEnd): MiddlewareHandler<CustomerEnv> {
  return async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const account = token ? await h.enrollment.accountByToken(token) : null;
    if (!account) throw new ApiError("unauthorized", "a customer bearer token is required", "headers.authorization");
    c.set("account", account);
    await next();
  };
}

const accountOf = <E extends Env>(c: Context<E>): Account => {
  const a = (c as unknown as Context<CustomerEnv>).get("account");
  if (!a) throw new ApiError("unauthorized", "a customer bearer token is required", "headers.authorization");
  return a;
};

const TAG = "customer";
const localDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a local day is YYYY-MM-DD");

export function customerRoutes<E extends Env>(api: ApiRoutes<E>, h: HeadEnd): void {
  const premisesOf = (a: Account) => h.enrollment.premisesOfAccount(a.id);

  api.on({
    method: "get", path: "/v1/customer/overview", operationId: "customerOverview", tag: TAG, auth: "customer", summary: "Program, tariff, premises and PEVs (FR-35)",
    response: z.object({
      customer: customerSchema.nullable(), account: accountSchema,
      premises: z.array(z.object({
        premises: premisesSchema, program: programSchema.nullable(),
        tariff: z.object({ id: z.string(), name: z.string(), timeZone: z.string(), description: z.string().nullable() }).nullable(),
        defaultTariff: z.object({ id: z.string(), name: z.string() }).nullable(),
      })),
      pevs: z.array(z.object({ pev: pevSchema, enrollment: enrollmentSchema.nullable() })),
    }),
  }, async (c) => {
    const a = accountOf(c);
    const premises = await Promise.all((await premisesOf(a)).map(async (p) => {
      const program = await h.enrollment.programAtPremises(p.id);
      const tariff = program ? await h.tariffs.get(program.tariffId) : null;
      const regular = await h.tariffs.get(p.defaultTariffId);
      return {
        premises: p, program,
        tariff: tariff ? { id: tariff.id, name: tariff.name, timeZone: tariff.timeZone, description: tariff.description ?? null } : null,
        defaultTariff: regular ? { id: regular.id, name: regular.name } : null,
      };
    }));
    const pevs = await Promise.all((await h.enrollment.pevsOfAccount(a.id)).map(async (pev) => ({ pev, enrollment: (await h.enrollment.activeEnrollment(pev.vin))?.enrollment ?? null })));
    return { customer: await h.enrollment.customer(a.customerId), account: a, premises, pevs };
  });

  api.on({
    method: "get", path: "/v1/customer/usage", operationId: "customerUsage", tag: TAG, auth: "customer",
    summary: "Energy and estimated charges of a month so far, by line kind and price period",
    description: "The month is the half-open period [periodStart, periodEnd) in UTC seconds: local midnight of its first day to local midnight of the next month's first day, in the utility's IANA zone.",
    query: z.object({ month: monthSchema.optional() }),
    response: z.object({
      month: z.string(), timeZone: z.string(), periodStart: z.number().int(), periodEnd: z.number().int(), periodStartIso: z.string(), periodEndIso: z.string(),
      currency: z.literal("USD"),
      lines: z.array(z.object({ kind: z.union([billLineKindSchema, z.literal("contra")]), period: z.string(), wh: z.number().int(), estimatedCents: z.number().int() })),
      totalWh: z.number().int(),
    }),
  }, async (c, { query }) => {
    const a = accountOf(c);
    const month = query.month ?? monthOf(h.clock.now(), h.timeZone);
    const b = monthBounds(month, h.timeZone, "month");
    const groups = new Map<string, { kind: z.infer<typeof billLineKindSchema> | "contra"; period: string; wh: number; nano: number }>();
    const at = await h.enrollment.premisesEverOfAccount(a.id);
    for (const p of await h.ledger.postingsOf(customerLedger(a.id), at, b.start, b.end)) {
      const key = `${p.lineKind}|${p.period}`;
      const g = groups.get(key) ?? { kind: p.lineKind, period: p.period, wh: 0, nano: 0 };
      g.wh += p.energyWh;
      g.nano += p.amountNano;
      groups.set(key, g);
    }
    const lines = [...groups.values()].map((g) => ({ kind: g.kind, period: g.period, wh: g.wh, estimatedCents: roundToCents(g.nano) }));
    return {
      month, timeZone: h.timeZone, periodStart: b.start, periodEnd: b.end, periodStartIso: toIsoSeconds(b.start), periodEndIso: toIsoSeconds(b.end), currency: "USD" as const,
      lines, totalWh: lines.filter((l) => l.kind !== "fixed").reduce((x, l) => x + l.wh, 0),
    };
  });

  api.on({
    method: "get", path: "/v1/customer/bills", operationId: "customerBills", tag: TAG, auth: "customer", summary: "Closed bills (integer cents), newest first",
    response: z.object({ bills: z.array(billSchema) }),
  }, async (c) => ({ bills: await h.bills.bills(accountOf(c).id) }));

  api.on({
    method: "get", path: "/v1/customer/sessions", operationId: "customerSessions", tag: TAG, auth: "customer",
    summary: "Charging sessions at the account's premises and of its PEVs (visitors' without VIN)",
    response: z.object({ sessions: z.array(sessionRowSchema) }),
  }, async (c) => ({ sessions: await h.sessions.sessionsOfAccount(accountOf(c).id) }));

  // Green Button Download My Data (ESPI Atom XML, and CSV): ?month=YYYY-MM or ?from=YYYY-MM-DD&to=YYYY-MM-DD.
  const greenButtonQuery = z.object({
    month: monthSchema.optional(),
    from: localDay.optional().describe("First local day of the range (YYYY-MM-DD, the utility's zone); with `to`, instead of `month`"),
    to: localDay.optional().describe("The local day after the range (YYYY-MM-DD): the range is [from, to), at most 366 days"),
    account: z.string().max(64).optional().describe("May name the token's own account; any other is 404"),
  });
  const greenButtonErrors = { 404: "`account` names another account than the token's" } as const;
  const periodDescription = "Neither `month` nor `from`/`to`: the current month so far. Periods are local calendar days in the utility's IANA zone, half-open [start, end). A bad period is 400 naming the parameter.";
  for (const format of ["xml", "csv"] as const) {
    api.on({
      method: "get", path: format === "xml" ? "/v1/customer/green-button" : "/v1/customer/green-button.csv",
      operationId: format === "xml" ? "customerGreenButton" : "customerGreenButtonCsv", tag: TAG, auth: "customer",
      summary: format === "xml"
        ? "Green Button Download My Data: ESPI (NAESB REQ.21) Atom XML of the account's premises (AMI) and PEV sub-metered interval usage"
        : "The same interval usage as Green Button Download My Data, as CSV",
      description: periodDescription, query: greenButtonQuery, errors: greenButtonErrors,
      response: z.string(), produces: format === "xml" ? "application/atom+xml" : "text/csv",
      responseDescription: format === "xml" ? "An Atom feed of ESPI UsagePoint, MeterReading, ReadingType, IntervalBlock and LocalTimeParameters entries" : "One line per interval reading",
    }, async (c, { query }) => {
      const file = await greenButtonFile(h, accountOf(c), { url: c.req.url, query: (n) => query[n as keyof typeof query] }, format);
      for (const [k, v] of Object.entries(DOWNLOAD_HEADERS(file.filename))) c.header(k, v);
      return file.body;
    });
  }

  api.on({
    method: "get", path: "/v1/customer/dr-events", operationId: "customerDrEvents", tag: TAG, auth: "customer", summary: "Demand-response events and their status",
    response: z.object({ events: z.array(drEventWithReportsSchema) }),
  }, async (c) => ({ events: await h.dr.historyForPremises((await premisesOf(accountOf(c))).map((p) => p.id)) }));
}
