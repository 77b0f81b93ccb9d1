// GET /api/v1/events: Server-Sent Events for the live pages. "now" carries the whole Now view (on connect, on every
// engine step, and each second while the comm-wait countdown runs); "reading" carries each EUMD reading as it
// arrives, small, so a number changes on screen within milliseconds. The browser's EventSource reconnects by itself
// (retry hint below); a "ping" every 10 s keeps a quiet stream open and lets the page tell quiet from stale.
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { LiveEvents } from "../../../core/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { HubChange } from "../../hub/hub.ts";
import { type DashboardContext, nowView } from "./dashboard-views.ts";

export function mountLiveEvents(app: Hono, ctx: DashboardContext, clock: Clock): void {
  app.get("/api/v1/events", (c) => {
    c.header("Cache-Control", "no-store");
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      let seq = 0;
      // Writes are chained so events leave in the order they happened even though each write is async.
      let chain: Promise<void> = Promise.resolve();
      const send = <E extends keyof LiveEvents>(event: E, data: LiveEvents[E]) => {
        chain = chain.then(() => stream.writeSSE({ event, data: JSON.stringify(data), id: String(++seq) })).catch(() => {});
      };
      const sendNow = () => send("now", nowView(ctx, clock.now()));
      await stream.writeSSE({ event: "hello", data: JSON.stringify({} satisfies LiveEvents["hello"]), retry: 2000 });
      sendNow();
      const off = ctx.hub.onChange((ch: HubChange) => {
        if (ch.kind === "step") sendNow();
        else if (ch.device === "eumd") {
          send("reading", { powerW: ch.powerW, at: ch.at, sessionWh: ctx.hub.snapshot().session?.metering.totalWh ?? null, sentAtMs: Date.now() });
        }
      });
      // The other charge points' cards change with their own engines' steps (a list that may grow while running).
      const others = new Set<() => void>();
      const watched = new Set([ctx.hub]);
      const watchOthers = () => {
        for (const h of ctx.hubs ?? []) if (!watched.has(h)) { watched.add(h); others.add(h.onChange((ch) => { if (ch.kind === "step") sendNow(); })); }
      };
      watchOthers();
      const waiting = () => (ctx.hubs ?? [ctx.hub]).some((h) => h.snapshot().session?.phase === "awaiting-binding");
      const countdown = setInterval(() => { watchOthers(); if (waiting()) sendNow(); }, 1000);
      const keepAlive = setInterval(() => send("ping", { now: clock.now() }), 10_000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      off();
      for (const o of others) o();
      clearInterval(countdown);
      clearInterval(keepAlive);
    });
  });
}
