// The S4 customer information API (FR-35): program, tariff, usage, bills, sessions and demand-response events of
// the account whose customer token (issued when the account was opened) is presented.
import { ApiError } from "../../protocol/index.ts";
import { Hono } from "hono";
import type { Account } from "../types.ts";
import type { HeadEnd } from "../head-end.ts";
import { customerLedger } from "../ledger/ledger.ts";
import { monthBounds, monthOf } from "../billing/month-bounds.ts";
import { roundToCents } from "../../../core/tariff/index.ts";
import { greenButtonDownload } from "../greenbutton/index.ts";

type Env = { Variables: { account: Account } };

export function customerRoutes(h: HeadEnd): Hono<Env> {
  const app = new Hono<Env>();
  app.use("*", async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const account = token ? h.enrollment.accountByToken(token) : null;
    if (!account) throw new ApiError("unauthorized", "a customer bearer token is required", "headers.authorization");
    c.set("account", account);
    await next();
  });

  const premisesOf = (a: Account) => h.enrollment.premisesOfAccount(a.id);

  app.get("/overview", (c) => {
    const a = c.get("account");
    const premises = premisesOf(a).map((p) => {
      const program = h.enrollment.programAtPremises(p.id);
      const tariff = program ? h.tariffs.get(program.tariffId) : null;
      const regular = h.tariffs.get(p.defaultTariffId);
      return {
        premises: p,
        program,
        tariff: tariff ? { id: tariff.id, name: tariff.name, timeZone: tariff.timeZone, description: tariff.description ?? null } : null,
        defaultTariff: regular ? { id: regular.id, name: regular.name } : null,
      };
    });
    const pevs = h.enrollment.pevsOfAccount(a.id).map((pev) => ({ pev, enrollment: h.enrollment.activeEnrollment(pev.vin)?.enrollment ?? null }));
    return c.json({ customer: h.enrollment.customer(a.customerId), account: a, premises, pevs });
  });

  app.get("/usage", (c) => {
    const a = c.get("account");
    const month = c.req.query("month") ?? monthOf(h.clock.now(), h.timeZone);
    const b = monthBounds(month, h.timeZone, "month");
    const groups = new Map<string, { kind: string; period: string; wh: number; nano: number }>();
    for (const p of h.ledger.postingsOf(customerLedger(a.id), b.start, b.end)) {
      const key = `${p.lineKind}|${p.period}`;
      const g = groups.get(key) ?? { kind: p.lineKind, period: p.period, wh: 0, nano: 0 };
      g.wh += p.energyWh;
      g.nano += p.amountNano;
      groups.set(key, g);
    }
    const lines = [...groups.values()].map((g) => ({ kind: g.kind, period: g.period, wh: g.wh, estimatedCents: roundToCents(g.nano) }));
    return c.json({ month, periodStart: b.start, periodEnd: b.end, lines, totalWh: lines.filter((l) => l.kind !== "fixed").reduce((x, l) => x + l.wh, 0) });
  });

  app.get("/bills", (c) => c.json({ bills: h.bills.bills(c.get("account").id) }));

  app.get("/sessions", (c) => {
    return c.json({ sessions: h.sessions.sessionsOfAccount(c.get("account").id) });
  });

  // Green Button Download My Data (ESPI Atom XML, and CSV): ?month=YYYY-MM or ?from=YYYY-MM-DD&to=YYYY-MM-DD.
  app.get("/green-button", (c) => greenButtonDownload(h, c.get("account"), { url: c.req.url, query: (n) => c.req.query(n) }, "xml"));
  app.get("/green-button.csv", (c) => greenButtonDownload(h, c.get("account"), { url: c.req.url, query: (n) => c.req.query(n) }, "csv"));

  app.get("/dr-events", (c) => c.json({ events: h.dr.historyForPremises(premisesOf(c.get("account")).map((p) => p.id)) }));
  return app;
}
