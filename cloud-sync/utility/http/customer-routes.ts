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
    const account = token ? await h.enrollment.accountByToken(token) : null;
    if (!account) throw new ApiError("unauthorized", "a customer bearer token is required", "headers.authorization");
    c.set("account", account);
    await next();
  });

  const premisesOf = (a: Account) => h.enrollment.premisesOfAccount(a.id);

  app.get("/overview", async (c) => {
    const a = c.get("account");
    const premises = await Promise.all((await premisesOf(a)).map(async (p) => {
      const program = await h.enrollment.programAtPremises(p.id);
      const tariff = program ? await h.tariffs.get(program.tariffId) : null;
      const regular = await h.tariffs.get(p.defaultTariffId);
      return {
        premises: p,
        program,
        tariff: tariff ? { id: tariff.id, name: tariff.name, timeZone: tariff.timeZone, description: tariff.description ?? null } : null,
        defaultTariff: regular ? { id: regular.id, name: regular.name } : null,
      };
    }));
    const pevs = await Promise.all((await h.enrollment.pevsOfAccount(a.id)).map(async (pev) => ({ pev, enrollment: (await h.enrollment.activeEnrollment(pev.vin))?.enrollment ?? null })));
    return c.json({ customer: await h.enrollment.customer(a.customerId), account: a, premises, pevs });
  });

  app.get("/usage", async (c) => {
    const a = c.get("account");
    const month = c.req.query("month") ?? monthOf(h.clock.now(), h.timeZone);
    const b = monthBounds(month, h.timeZone, "month");
    const groups = new Map<string, { kind: string; period: string; wh: number; nano: number }>();
    const at = await h.enrollment.premisesEverOfAccount(a.id);
    for (const p of await h.ledger.postingsOf(customerLedger(a.id), at, b.start, b.end)) {
      const key = `${p.lineKind}|${p.period}`;
      const g = groups.get(key) ?? { kind: p.lineKind, period: p.period, wh: 0, nano: 0 };
      g.wh += p.energyWh;
      g.nano += p.amountNano;
      groups.set(key, g);
    }
    const lines = [...groups.values()].map((g) => ({ kind: g.kind, period: g.period, wh: g.wh, estimatedCents: roundToCents(g.nano) }));
    return c.json({ month, periodStart: b.start, periodEnd: b.end, lines, totalWh: lines.filter((l) => l.kind !== "fixed").reduce((x, l) => x + l.wh, 0) });
  });

  app.get("/bills", async (c) => c.json({ bills: await h.bills.bills(c.get("account").id) }));

  app.get("/sessions", async (c) => {
    return c.json({ sessions: await h.sessions.sessionsOfAccount(c.get("account").id) });
  });

  // Green Button Download My Data (ESPI Atom XML, and CSV): ?month=YYYY-MM or ?from=YYYY-MM-DD&to=YYYY-MM-DD.
  app.get("/green-button", async (c) => greenButtonDownload(h, c.get("account"), { url: c.req.url, query: (n) => c.req.query(n) }, "xml"));
  app.get("/green-button.csv", async (c) => greenButtonDownload(h, c.get("account"), { url: c.req.url, query: (n) => c.req.query(n) }, "csv"));

  app.get("/dr-events", async (c) => c.json({ events: await h.dr.historyForPremises((await premisesOf(c.get("account"))).map((p) => p.id)) }));
  return app;
}
