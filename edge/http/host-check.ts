// DNS rebinding defence: a page on evil.example whose name is re-pointed at the hub's LAN address would be
// same-origin with the hub in the browser. The browser still sends `Host: evil.example`, so the hub answers only
// requests whose Host is one of its own names or addresses (or one the owner lists in [hub] allowed_hosts).
import { hostname, networkInterfaces } from "node:os";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../cloud-sync/protocol/index.ts";

/** The Host header without its port, lower-case; IPv6 literals keep their brackets. */
export function hostOnly(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.replace(/:\d+$/, "");
}

/** The names and addresses this machine answers to: loopback, its hostname (and .local), every interface address. */
export function ownHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "[::1]", bindHost.toLowerCase(), ...extra.map((e) => hostOnly(e))]);
  const host = hostname().toLowerCase();
  names.add(host);
  names.add(`${host}.local`);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) names.add(a.family === "IPv6" ? `[${a.address.toLowerCase()}]` : a.address);
  }
  return names;
}

export function hostCheck(allowed: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("host");
    if (!header || !allowed.has(hostOnly(header))) {
      throw new ApiError("misdirected-request", `this hub does not answer to the host name ${JSON.stringify(header ?? "")}; add it to [hub] allowed_hosts if it is yours`, "headers.host");
    }
    await next();
  };
}
