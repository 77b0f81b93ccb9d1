// Every kind of session event the engine records, and whether the utility receives it in the session report.
// A new kind must be added here (the reducer's `record` takes only these), so deciding whether the utility sees it is
// never an accident of a pattern: EVSE hold/allow chatter, config and owner requests stay on the hub.
export const SESSION_EVENT_KINDS = {
  "on-plug": "reported",
  "unplug": "reported",
  "unplug.uncertain": "reported",
  "pev.identified": "reported",
  "pev.hello-ignored": "reported",
  "pev.proof-ok": "reported",
  "pev.proof-ignored": "reported",
  "pev.ack-ignored": "reported",
  "pev.claim-refused": "reported",
  "pev-link.refused": "hub-only",
  "pev-link.lost": "hub-only",
  "binding.requested": "reported",
  "binding.late": "reported",
  "bound": "reported",
  "fallback": "reported",
  "commissioning.params-sent": "reported",
  "commissioning.eumd-detect": "reported",
  "commissioning.pev-ack": "reported",
  "commissioning.eumd-ack": "reported",
  "eumd.ack-ignored": "hub-only",
  "eumd.reading-rejected": "reported",
  "eumd.register-reset": "reported",
  "eumd.register-rebased": "reported",
  "eumd.online": "reported",
  "eumd.offline": "reported",
  "eumd.unavailable": "hub-only",
  "utility.unreachable": "reported",
  "dr.received": "reported",
  "dr.started": "reported",
  "dr.completed": "reported",
  "dr.cancelled": "reported",
  "dr.opted-out": "reported",
  "dr.opt-out-refused": "reported",
  "evse.hold": "hub-only",
  "evse.allow": "hub-only",
  "evse.fault": "hub-only",
  "evse.swap": "hub-only",
  "evse.charger-session": "hub-only",
  "evse.divergence": "hub-only",
  "config.refused": "hub-only",
  "config.comm-wait": "hub-only",
  "config.fallback-preference": "hub-only",
  "interval-length.applied": "hub-only",
  "interval-length.pending": "hub-only",
  "charge-mode": "hub-only",
  "owner.request": "hub-only",
} as const satisfies Record<string, "reported" | "hub-only">;

export type SessionEventKind = keyof typeof SESSION_EVENT_KINDS;

/** Whether an event of `kind` (as stored; kinds no longer recorded are not) goes to the utility. */
export function isReportedToUtility(kind: string): boolean {
  return (SESSION_EVENT_KINDS as Record<string, string>)[kind] === "reported";
}
