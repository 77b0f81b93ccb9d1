// Names of the ESPI resources in a download: the link paths of ESPI's REST pattern
// (`/espi/1_1/resource/RetailCustomer/{account}/UsagePoint/{id}/MeterReading/{id}/IntervalBlock/{id}`, with
// ReadingType and LocalTimeParameters at the resource root), and for each a stable Atom id: a name-based UUID (RFC 4122
// version 5) of the utility and the path, so the same resource has the same id in every download.
import { createHash } from "node:crypto";

/** RFC 4122 name space for URLs. */
const URL_NAMESPACE = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex");

export function uuidV5(name: string): string {
  const h = createHash("sha1").update(URL_NAMESPACE).update(name, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const seg = (s: string | number): string => encodeURIComponent(String(s));

export interface EspiPaths {
  usagePoints: string;
  usagePoint(up: string): string;
  meterReadings(up: string): string;
  meterReading(up: string, mr: string): string;
  intervalBlocks(up: string, mr: string): string;
  intervalBlock(up: string, mr: string, ib: string): string;
  readingTypes: string;
  readingType(rt: string): string;
  localTimeParameters: string;
  localTimeParameter(id: string): string;
}

/** Paths relative to the resource root, for one account (an ESPI RetailCustomer). */
export function espiPaths(accountId: string): EspiPaths {
  const customer = `RetailCustomer/${seg(accountId)}`;
  const up = (u: string) => `${customer}/UsagePoint/${seg(u)}`;
  const mr = (u: string, m: string) => `${up(u)}/MeterReading/${seg(m)}`;
  return {
    usagePoints: `${customer}/UsagePoint`,
    usagePoint: up,
    meterReadings: (u) => `${up(u)}/MeterReading`,
    meterReading: mr,
    intervalBlocks: (u, m) => `${mr(u, m)}/IntervalBlock`,
    intervalBlock: (u, m, b) => `${mr(u, m)}/IntervalBlock/${seg(b)}`,
    readingTypes: "ReadingType",
    readingType: (rt) => `ReadingType/${seg(rt)}`,
    localTimeParameters: "LocalTimeParameters",
    localTimeParameter: (id) => `LocalTimeParameters/${seg(id)}`,
  };
}
