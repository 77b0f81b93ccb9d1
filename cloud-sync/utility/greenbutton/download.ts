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

export interface GreenButtonFile { filename: string; body: string }

/** The headers of a download: a file name, and no shared cache may keep it (usage is personal data). */
export const DOWNLOAD_HEADERS = (filename: string): Record<string, string> => ({
  "content-disposition": `attachment; filename="${filename}"`,
  "cache-control": "private, no-store",
});

/** The account's usage over the queried period, as the file to download (the route sets its media type). */
export async function greenButtonFile(h: HeadEnd, account: Account, req: DownloadRequest, format: DownloadFormat): Promise<GreenButtonFile> {
  const named = req.query("account");
  if (named !== undefined && named !== account.id) throw notFound("account", named, "query.account");
  const period = usagePeriod({ month: req.query("month"), from: req.query("from"), to: req.query("to") }, h.timeZone, h.clock.now());
  const usage = await accountUsage(h, account, period);
  const filename = `greenbutton-${account.id}-${period.label.replace("..", "_to_")}.${format}`;
  if (format === "csv") return { filename, body: usageCsv(usage) };
  return { filename, body: espiFeed(usage, { resourceRoot: `${new URL(req.url).origin}${ESPI_RESOURCE_ROOT}`, self: req.url }) };
}
