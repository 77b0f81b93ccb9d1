// The traceability map: every requirement ID of the use case, the code that satisfies it, and (found by scanning
// test titles) the tests that prove it. `npx bun scripts/requirements-map.ts --write` regenerates docs/requirements.md;
// scripts/requirements-map.test.ts fails when a requirement has no test or the document is stale.
import { Glob } from "bun";
import { TEST_ROOTS } from "./test-roots.ts";
import { readFileSync, writeFileSync } from "node:fs";

export const REQUIREMENTS: { id: string; text: string; code: string[] }[] = [
  { id: "BR-1", text: "Customer has a utility account; the premises is served by that utility", code: ["cloud-sync/utility/enrollment/"] },
  { id: "BR-2", text: "PEV and utility communicate through the utility-provided ESCI (the hub)", code: ["edge/hub/hub.ts", "edge/sync/utility-link.ts"] },
  { id: "BR-3", text: "The utility offers PEV programs and supports enrollment, communications and billing", code: ["cloud-sync/utility/"] },
  { id: "BR-4", text: "Comms absent/failed or PEV ID invalid: charging proceeds at the premises default rate", code: ["edge/engine/reducer.ts", "edge/engine/arbiter.ts"] },
  { id: "BR-5", text: "Roaming follows P2; here only the clearinghouse postings of S3", code: ["cloud-sync/clearinghouse/", "cloud-sync/utility/roaming/"] },
  { id: "BR-6", text: "No EUMD: charging proceeds without incentive rates", code: ["edge/engine/reducer.ts", "edge/hub/hub.ts"] },
  { id: "BR-7", text: "The EUMD may sit anywhere from the PEV to the panel", code: ["edge/config/schema.ts", "drivers/devices/"] },
  { id: "BR-8", text: "An EUMD inside the PEV makes the PEV a sub-meter of the premises", code: ["drivers/pevlink/", "edge/hub/pevlink-port.ts"] },
  { id: "FR-01", text: "Enrollment methods and processes are available and known", code: ["cloud-sync/utility/enrollment/"] },
  { id: "FR-02", text: "Operational PEV programs exist", code: ["cloud-sync/utility/enrollment/", "cloud-sync/utility/seed-demo.ts"] },
  { id: "FR-03", text: "Each PEV has a unique ID (VIN)", code: ["core/ids/vin.ts"] },
  { id: "FR-04", text: "The utility keeps enrolled customers and PEVs with program parameters", code: ["cloud-sync/utility/enrollment/"] },
  { id: "FR-05", text: "The utility can tell customers/premises that are not enrolled", code: ["cloud-sync/utility/binding/"] },
  { id: "FR-06", text: "On-Plug before any communications session", code: ["edge/engine/reducer.ts", "edge/hub/pevlink-port.ts"] },
  { id: "FR-07", text: "Charging from a 120/240 V portal; utility comms not required to charge", code: ["edge/engine/arbiter.ts"] },
  { id: "FR-08", text: "The ESCI exchanges authentication and session information with utility, PEV and EUMD", code: ["edge/hub/hub.ts", "edge/sync/utility-link.ts"] },
  { id: "FR-09", text: "PEV, EUMD and ESCI establish a secure link", code: ["drivers/pevlink/secure-link.ts", "drivers/pevlink/proof.ts"] },
  { id: "FR-10", text: "No ESCI comms within a configurable period after On-Plug: charge at the regular rate", code: ["edge/engine/reducer.ts", "edge/engine/settings.ts"] },
  { id: "FR-11", text: "The PEV communicates with the ESCI", code: ["drivers/pevlink/"] },
  { id: "FR-12", text: "The PEV communicates with the utility through the ESCI", code: ["drivers/pevlink/", "edge/hub/pevlink-port.ts"] },
  { id: "FR-13", text: "The PEV gives the ESCI its unique ID when a session starts", code: ["drivers/pevlink/messages.ts", "edge/engine/reducer.ts"] },
  { id: "FR-14", text: "The ESCI sends premises ID with PEV ID to the utility", code: ["edge/engine/reducer.ts", "cloud-sync/protocol/binding.ts"] },
  { id: "FR-15", text: "Load correlation: PEV usage comes from the same premises", code: ["cloud-sync/utility/metering/"] },
  { id: "FR-16", text: "The utility confirms through the ESCI to the PEV: binding established", code: ["cloud-sync/utility/binding/", "edge/engine/reducer.ts"] },
  { id: "FR-17", text: "The PEV receives confirmation; the customer can see whether a session was established", code: ["edge/http/status.ts", "ui/"] },
  { id: "FR-18", text: "The PEV receives authentication parameters at binding and on change", code: ["drivers/pevlink/", "edge/engine/reducer.ts"] },
  { id: "FR-19", text: "The PEV acknowledges authentication and setup through the ESCI", code: ["edge/engine/reducer.ts", "edge/sync/utility-link.ts"] },
  { id: "FR-20", text: "The EUMD measures PEV charging discretely", code: ["drivers/modbus/meter.ts", "edge/engine/metering.ts", "drivers/ocpp/charge-point-session.ts"] },
  { id: "FR-21", text: "The EUMD function may sit anywhere from the PEV to the panel", code: ["edge/config/schema.ts"] },
  { id: "FR-22", text: "The EUMD communicates with the utility through the ESCI", code: ["edge/sync/session-report.ts"] },
  { id: "FR-23", text: "The utility sends a detection message through the ESCI to the EUMD", code: ["edge/engine/reducer.ts", "edge/hub/hub.ts"] },
  { id: "FR-24", text: "The EUMD receives detection; the customer can see that a session was established", code: ["edge/engine/reducer.ts", "edge/http/status.ts"] },
  { id: "FR-25", text: "The EUMD interval length can be reconfigured remotely", code: ["edge/engine/metering.ts", "cloud-sync/protocol/hub-config.ts"] },
  { id: "FR-26", text: "The EUMD receives authentication parameters (interval length) at binding and on change", code: ["edge/engine/reducer.ts"] },
  { id: "FR-27", text: "The EUMD acknowledges setup through the ESCI", code: ["edge/engine/reducer.ts", "edge/hub/hub.ts"] },
  { id: "FR-28", text: "Re-binding at each plug-in needs no full authentication", code: ["edge/engine/reducer.ts", "cloud-sync/utility/binding/", "edge/hub/charger-vehicle-id.ts"] },
  { id: "FR-29", text: "The EUMD sends session information (PEV ID, premises ID, interval kWh) to the utility", code: ["edge/sync/session-report.ts", "edge/sync/outbox.ts", "edge/sync/utility-link.ts"] },
  { id: "FR-30", text: "A clearinghouse can send session information to the utility", code: ["cloud-sync/clearinghouse/"] },
  { id: "FR-31", text: "The utility verifies IDs and posts debits to the customer account", code: ["cloud-sync/utility/sessions/", "cloud-sync/utility/ledger/"] },
  { id: "FR-32", text: "Out-of-territory charges are posted at the clearinghouse", code: ["cloud-sync/utility/roaming/", "cloud-sync/clearinghouse/"] },
  { id: "FR-33", text: "The utility credits a customer account (guest charging)", code: ["cloud-sync/utility/sessions/"] },
  { id: "FR-34", text: "Monthly bills with all PEV charges, debits and credits", code: ["cloud-sync/utility/billing/", "core/tariff/month-bill.ts"] },
  { id: "FR-35", text: "The customer can view program, usage, billing, tariff, DR events and history", code: ["cloud-sync/utility/http/customer-routes.ts", "cloud-sync/utility/greenbutton/", "ui/", "edge/mqtt/"] },
  { id: "NFR-1", text: "Every device keeps UTC time with 1-second resolution", code: ["core/time/utc.ts", "core/time/clock.ts"] },
  { id: "NFR-2", text: "The PEV attempts a communications session before charging", code: ["edge/engine/arbiter.ts", "edge/hub/evse-actuator.ts", "drivers/ocpp/ocpp-charger.ts"] },
  { id: "NFR-3", text: "The PEV waits at least 1 minute for the communications session", code: ["edge/engine/settings.ts", "edge/config/schema.ts"] },
];

export async function testsById(root = process.cwd()): Promise<Map<string, string[]>> {
  const byId = new Map<string, string[]>(REQUIREMENTS.map((r) => [r.id, []]));
  const title = /\btest\(\s*(["'`])((?:(?!\1).)*)\1/g;
  for (const dir of TEST_ROOTS) {
    for await (const f of new Glob(`${dir}/**/*.test.ts`).scan({ cwd: root })) {
      const src = readFileSync(`${root}/${f}`, "utf8");
      for (const m of src.matchAll(title)) {
        const ids = m[2]!.match(/\b(?:BR|FR|NFR)-\d+\b/g) ?? [];
        for (const id of ids) {
          const list = byId.get(id);
          if (list && !list.includes(f)) list.push(f);
        }
      }
    }
  }
  return byId;
}

export async function renderDocument(root = process.cwd()): Promise<string> {
  const tests = await testsById(root);
  const rows = REQUIREMENTS.map((r) => {
    const t = tests.get(r.id)!;
    return `| ${r.id} | ${r.text} | ${r.code.map((c) => `\`${c}\``).join("<br>")} | ${t.length ? t.sort().map((x) => `\`${x}\``).join("<br>") : "**none**"} |`;
  });
  return `# Requirements traceability

Every requirement of the use case (\`../shared/requirements.md\`) mapped to the code that satisfies it and the tests that
prove it. The tests column is generated from test titles (a test names the IDs it proves); regenerate with
\`npx bun scripts/requirements-map.ts --write\`. \`scripts/requirements-map.test.ts\` fails if an ID has no test or this
file is stale.

| ID | requirement | code | tests |
|---|---|---|---|
${rows.join("\n")}
`;
}

if (import.meta.main) {
  const doc = await renderDocument();
  if (process.argv.includes("--write")) writeFileSync("docs/requirements.md", doc);
  else process.stdout.write(doc);
}
