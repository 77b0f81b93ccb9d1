// GET /v1/customer/green-button(.csv): the customer's own Green Button "Download My Data". The account is the one
// the customer token belongs to (customer-routes.ts checks the token); `?account=` may name it, and any other
// account — another customer's or none at all — is the same 404, so the answer tells nothing about other accounts.
import type { HeadEnd } from "../head-end.ts";
import type { Account } from "../types.ts";
import { notFound } from "../errors.ts";
import { accountUsage } from "./account-usage.ts";
import { espiFeed } from "./espi-feed.ts";
import { usageCsv } from "./usage-csv.ts";
import { usagePeriod } from "./usage-period.ts";

export type DownloadFormat = "xml" | "csv";

/** ESPI's REST resource root (NAESB REQ.21), under which the feed's links name its resources. */
export const ESPI_RESOURCE_ROOT = "/espi/1_1/resource";

export interface DownloadRequest { url: string; query(name: string): string | undefined }

export async function greenButtonDownload(h: HeadEnd, account: Account, req: DownloadRequest, format: DownloadFormat): Promise<Response> {
  const named = req.query("account");
  if (named !== undefined && named !== account.id) throw notFound("account", named, "query.account");
  const period = usagePeriod({ month: req.query("month"), from: req.query("from"), to: req.query("to") }, h.timeZone, h.clock.now());
  const usage = await accountUsage(h, account, period);
  const file = `greenbutton-${account.id}-${period.label.replace("..", "_to_")}.${format}`;
  const headers = {
    "content-disposition": `attachment; filename="${file}"`,
    // Usage is personal data: no shared cache may keep it.
    "cache-control": "private, no-store",
  };
  if (format === "csv") return new Response(usageCsv(usage), { headers: { ...headers, "content-type": "text/csv; charset=utf-8" } });
  const body = espiFeed(usage, { resourceRoot: `${new URL(req.url).origin}${ESPI_RESOURCE_ROOT}`, self: req.url });
  return new Response(body, { headers: { ...headers, "content-type": "application/atom+xml; charset=utf-8" } });
}
