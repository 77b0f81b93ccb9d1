// Commands from the home's automation (Home Assistant's select, text, number and button entities publish these), turned
// into owner requests through the same code path as the dashboard's (edge/hub/owner-requests.ts). Accepted only when
// [mqtt] commands = true. Payloads come from anyone who may publish on the broker: each is checked for size and shape,
// and a refusal says what was wrong and with which topic.
import { optOutOfDemandResponse, type OwnerRequestContext, OwnerRequestError, setChargePlan } from "../hub/owner-requests.ts";
import type { CommandTopic } from "./topics.ts";
import { MODE_OPTIONS } from "./state-views.ts";

/** Longer payloads are refused unread: no command needs more. */
export const MAX_COMMAND_BYTES = 256;

const MODES: Record<string, "charge-now" | "cheapest-hours"> = {
  "charge-now": "charge-now", [MODE_OPTIONS["charge-now"].toLowerCase()]: "charge-now",
  "cheapest-hours": "cheapest-hours", [MODE_OPTIONS["cheapest-hours"].toLowerCase()]: "cheapest-hours",
};

/** Applies one command; throws OwnerRequestError (path = the command's name) when it is malformed or refused. */
export async function applyCommand(ctx: OwnerRequestContext, command: CommandTopic, raw: Uint8Array): Promise<string> {
  if (raw.byteLength > MAX_COMMAND_BYTES) throw new OwnerRequestError(`payload is ${raw.byteLength} bytes; at most ${MAX_COMMAND_BYTES} are accepted`, command);
  let text: string;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(raw).trim(); } catch { throw new OwnerRequestError("payload is not UTF-8 text", command); }
  try {
    switch (command) {
      case "charge_mode": {
        const mode = MODES[text.toLowerCase()];
        if (!mode) throw new OwnerRequestError(`unknown charge mode ${JSON.stringify(text)}; expected one of ${Object.values(MODE_OPTIONS).map((o) => JSON.stringify(o)).join(", ")}`, command);
        const p = await setChargePlan(ctx, { mode }, "mqtt");
        return `charge mode ${p.mode}`;
      }
      case "departure": {
        // HA's text entity sends HH:MM; a time entity would send HH:MM:SS, accepted when the seconds are zero.
        const hhmm = /^\d\d:\d\d:00$/.test(text) ? text.slice(0, 5) : text;
        const p = await setChargePlan(ctx, { departAt: hhmm }, "mqtt");
        return `departure ${p.departAt}`;
      }
      case "energy_needed": {
        if (!/^\d{1,3}(\.\d{1,3})?$/.test(text)) throw new OwnerRequestError(`energy needed must be a number of kWh like 20 or 12.5, got ${JSON.stringify(text)}`, command);
        const p = await setChargePlan(ctx, { energyKWh: Number(text) }, "mqtt");
        return `energy needed ${p.energyKWh} kWh`;
      }
      case "dr_opt_out": {
        const r = await optOutOfDemandResponse(ctx, text, "mqtt");
        return `opted out of demand-response event ${r.id}`;
      }
    }
  } catch (e) {
    // Name the MQTT command in the error, whatever field the shared path named.
    if (e instanceof OwnerRequestError && e.path !== command) throw new OwnerRequestError(e.message, command, e.refused);
    throw e;
  }
}
