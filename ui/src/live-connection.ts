// The live link to the hub: one EventSource shared by the pages. EventSource reconnects by itself; this adds
// "stale" detection (no event for 20 s, or the connection is down) so the page can say its numbers may be old.
import type { LiveEvents, NowView } from "../../core/index.ts";

type Listener = { now?: (v: NowView) => void; reading?: (r: LiveEvents["reading"]) => void; stale?: (stale: boolean) => void };

export class LiveConnection {
  private es: EventSource | null = null;
  private listeners = new Set<Listener>();
  private lastEventMs = 0;
  private staleTimer: number | null = null;
  stale = true;
  last: NowView | null = null;

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    this.open();
    if (this.last) l.now?.(this.last);
    l.stale?.(this.stale);
    return () => { this.listeners.delete(l); };
  }

  private setStale(s: boolean) {
    if (s === this.stale) return;
    this.stale = s;
    for (const l of this.listeners) l.stale?.(s);
  }

  private seen() { this.lastEventMs = performance.now(); this.setStale(false); }

  open() {
    // A stream refused before login (401) ends CLOSED; EventSource does not retry that, so open a new one.
    if (this.es && this.es.readyState !== EventSource.CLOSED) return;
    this.es?.close();
    const es = new EventSource("/api/v1/events");
    this.es = es;
    es.addEventListener("hello", () => this.seen());
    es.addEventListener("ping", () => this.seen());
    es.addEventListener("now", (e) => {
      this.seen();
      this.last = JSON.parse((e as MessageEvent<string>).data) as LiveEvents["now"];
      for (const l of this.listeners) l.now?.(this.last);
    });
    es.addEventListener("reading", (e) => {
      this.seen();
      const r = JSON.parse((e as MessageEvent<string>).data) as LiveEvents["reading"];
      for (const l of this.listeners) l.reading?.(r);
    });
    es.onerror = () => this.setStale(true);
    // A quiet stream still gets a ping every 10 s; 20 s without anything means trouble.
    this.staleTimer ??= window.setInterval(() => { if (performance.now() - this.lastEventMs > 20_000) this.setStale(true); }, 5000);
  }

  close() {
    this.es?.close();
    this.es = null;
    if (this.staleTimer !== null) clearInterval(this.staleTimer);
    this.staleTimer = null;
    this.setStale(true);
  }
}

export const live = new LiveConnection();
