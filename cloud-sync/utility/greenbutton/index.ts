// Green Button "Download My Data" (NAESB REQ.21 ESPI) for the S4 customer API (FR-35): the account's premises (AMI)
// usage and its PEV sub-metered usage, as ESPI Atom XML (validated against schema/) and as CSV.
export { greenButtonFile, DOWNLOAD_HEADERS, ESPI_RESOURCE_ROOT, type DownloadFormat, type DownloadRequest, type GreenButtonFile } from "./download.ts";
export { accountUsage, PEV_USAGE_POINT_KEY } from "./account-usage.ts";
export { espiFeed, type FeedLinks } from "./espi-feed.ts";
export { usageCsv, CSV_COLUMNS } from "./usage-csv.ts";
export { usagePeriod, MAX_PERIOD_DAYS, type PeriodQuery } from "./usage-period.ts";
export { localTimeParameters, NO_DST_RULE, type LocalTimeParameters } from "./local-time-parameters.ts";
export { PEV_DEBIT_KINDS } from "./pev-usage.ts";
export * from "./espi-codes.ts";
export type * from "./usage-model.ts";
