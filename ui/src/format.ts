// Numbers with units and times in the premises' zone: never raw epoch seconds on screen.
const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string, kind: "time" | "datetime" | "date" | "hour"): Intl.DateTimeFormat {
  const key = `${tz}|${kind}`;
  let f = fmtCache.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { timeZone: tz };
    if (kind !== "date") Object.assign(o, { hour: "numeric", minute: "2-digit" });
    if (kind === "datetime" || kind === "date") Object.assign(o, { month: "short", day: "numeric" });
    if (kind === "datetime") o.weekday = "short";
    f = new Intl.DateTimeFormat(undefined, o);
    fmtCache.set(key, f);
  }
  return f;
}
export const localTime = (tz: string, t: number) => fmt(tz, "time").format(new Date(t * 1000));
export const localDateTime = (tz: string, t: number) => fmt(tz, "datetime").format(new Date(t * 1000));
export const localDate = (tz: string, t: number) => fmt(tz, "date").format(new Date(t * 1000));
export const kWh = (wh: number) => `${(wh / 1000).toFixed(wh < 10_000 ? 2 : 1)} kWh`;
export const kW = (w: number) => `${(w / 1000).toFixed(1)} kW`;
export const usd = (nano: number | null) => (nano === null ? "unknown" : `$${(nano / 1e9).toFixed(2)}`);
/** A cost estimate, or the hub's reason for having none ("unpriced: …"): never a blank or a made-up zero. */
export const cost = (nano: number | null, unpriced: string | null) => (nano !== null ? usd(nano) : `unpriced: ${unpriced ?? "no reason given"}`);
export const centsPerKWh = (micro: number) => `${(micro / 10_000).toFixed(1)} ¢/kWh`;
export function duration(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
export const ago = (tz: string, t: number | null, now: number) => (t === null ? "never" : now - t < 120 ? `${Math.max(0, now - t)} s ago` : localDateTime(tz, t));
