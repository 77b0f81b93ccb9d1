// Writes an account's usage as a Green Button "Download My Data" file: an Atom feed (RFC 4287) whose entries carry
// ESPI resources (NAESB REQ.21; schema/espi.xsd): LocalTimeParameters, then per usage point a UsagePoint, and per
// interval length a MeterReading, its ReadingType and one IntervalBlock per local day. Element order follows the
// schema's sequences; `xmllint --schema schema/greenbutton.xsd` checks it (greenbutton.test.ts).
import { XMLBuilder } from "fast-xml-parser";
import { ATOM_NS, ESPI_NS, READING_TYPE, ROLE_FLAGS, SERVICE_KIND_ELECTRICITY, espiCostFromNano } from "./espi-codes.ts";
import { localDays } from "./local-days.ts";
import { localTimeParameters } from "./local-time-parameters.ts";
import { espiPaths, uuidV5 } from "./resource-ids.ts";
import type { AccountUsage, UsagePointUsage, UsageReading, UsageSeries } from "./usage-model.ts";

export interface FeedLinks {
  /** Where ESPI resource paths are rooted, e.g. `https://utility.example/espi/1_1/resource`. */
  resourceRoot: string;
  /** The URL this download was asked at (the feed's self link). */
  self: string;
}

type Node = Record<string, unknown>;
const LOCAL_TIME_ID = "1";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, indentBy: "  ", suppressEmptyNode: true });

const isoSeconds = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");

export function espiFeed(u: AccountUsage, links: FeedLinks): string {
  const paths = espiPaths(u.accountId);
  const when = isoSeconds(u.generatedAt);
  const href = (path: string) => `${links.resourceRoot}/${path}`;
  const entry = (self: string, up: string, related: string[], title: string, content: Node): Node => ({
    id: `urn:uuid:${uuidV5(`${u.utilityId}/${self}`)}`,
    link: [
      { "@_rel": "self", "@_href": href(self) },
      { "@_rel": "up", "@_href": href(up) },
      ...related.map((r) => ({ "@_rel": "related", "@_href": href(r) })),
    ],
    title,
    content,
    published: when,
    updated: when,
  });

  const year = new Date(u.period.start * 1000).getUTCFullYear();
  const ltp = localTimeParameters(u.timeZone, year);
  const entries: Node[] = [
    entry(paths.localTimeParameter(LOCAL_TIME_ID), paths.localTimeParameters, [], `${u.timeZone} (${year})`, {
      LocalTimeParameters: {
        "@_xmlns": ESPI_NS,
        dstEndRule: ltp.dstEndRule, dstOffset: ltp.dstOffsetS, dstStartRule: ltp.dstStartRule, tzOffset: ltp.tzOffsetS,
      },
    }),
  ];
  const days = localDays(u.timeZone, u.period.start, u.period.end);

  for (const point of u.usagePoints) {
    entries.push(entry(paths.usagePoint(point.key), paths.usagePoints,
      [paths.meterReadings(point.key), paths.localTimeParameter(LOCAL_TIME_ID)], point.title, { UsagePoint: usagePoint(point) }));
    for (const s of point.series) {
      const mr = String(s.intervalS);
      const rt = `${point.key}-${s.intervalS}`;
      entries.push(entry(paths.meterReading(point.key, mr), paths.meterReadings(point.key),
        [paths.intervalBlocks(point.key, mr), paths.readingType(rt)], `${minutes(s.intervalS)} intervals`, { MeterReading: { "@_xmlns": ESPI_NS } }));
      entries.push(entry(paths.readingType(rt), paths.readingTypes, [], `Energy delivered, Wh, ${minutes(s.intervalS)} intervals`,
        { ReadingType: readingType(s) }));
      let i = 0;
      for (const day of days) {
        const readings: UsageReading[] = [];
        while (i < s.readings.length && s.readings[i]!.start < day.end) {
          if (s.readings[i]!.start >= day.start) readings.push(s.readings[i]!);
          i++;
        }
        if (!readings.length) continue;
        entries.push(entry(paths.intervalBlock(point.key, mr, day.date), paths.intervalBlocks(point.key, mr), [], day.date, {
          IntervalBlock: {
            "@_xmlns": ESPI_NS,
            interval: { duration: day.end - day.start, start: day.start },
            IntervalReading: readings.map(intervalReading),
          },
        }));
      }
    }
  }

  return builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    feed: {
      "@_xmlns": ATOM_NS,
      id: `urn:uuid:${uuidV5(`${u.utilityId}/${paths.usagePoints}?period=${u.period.label}`)}`,
      title: `Green Button usage of account ${u.accountId}, ${u.period.label} (${u.utilityId})`,
      updated: when,
      link: { "@_rel": "self", "@_href": links.self },
      entry: entries,
    },
  }) as string;
}

const minutes = (s: number): string => (s % 60 === 0 ? `${s / 60}-minute` : `${s}-second`);

function usagePoint(p: UsagePointUsage): Node {
  return {
    "@_xmlns": ESPI_NS,
    roleFlags: p.kind === "pev" ? ROLE_FLAGS.pev : ROLE_FLAGS.premises,
    ServiceCategory: { kind: SERVICE_KIND_ELECTRICITY },
    // The premises meter is where service is delivered; the PEV point sums the account's charging wherever metered.
    isSdp: p.kind === "premises",
    isVirtual: p.kind === "pev",
  };
}

function readingType(s: UsageSeries): Node {
  const priced = s.readings.some((r) => r.costNano !== null);
  return {
    "@_xmlns": ESPI_NS,
    accumulationBehaviour: READING_TYPE.accumulationBehaviour,
    commodity: READING_TYPE.commodity,
    ...(priced ? { currency: READING_TYPE.currency } : {}),
    dataQualifier: READING_TYPE.dataQualifier,
    flowDirection: READING_TYPE.flowDirection,
    intervalLength: s.intervalS,
    kind: READING_TYPE.kind,
    powerOfTenMultiplier: READING_TYPE.powerOfTenMultiplier,
    timeAttribute: READING_TYPE.timeAttribute,
    uom: READING_TYPE.uom,
  };
}

function intervalReading(r: UsageReading): Node {
  return {
    ...(r.costNano !== null ? { cost: espiCostFromNano(r.costNano) } : {}),
    ...(r.quality !== null ? { ReadingQuality: { quality: r.quality } } : {}),
    timePeriod: { duration: r.durationS, start: r.start },
    value: r.wh,
  };
}
