// What the hub's shell needs from the world beyond the engine. Drivers and the sync client implement these;
// tests use doubles. The charger and meters are core's capability ports; the PEV link and the utility are here.
import type { AuthenticationParameters, BindingPath, BindingStatus, FallbackReason } from "../../core/binding/index.ts";
import type { PremisesId, SessionId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { Charger, Meter } from "../../core/ports/index.ts";
import type { OcppView, ZigbeeDeviceView, ZigbeeNetworkView } from "../../core/index.ts";
import type { Command, HubState } from "../engine/types.ts";

/** The hub's side of the PEV link (S1/S2 messages). Incoming messages reach the hub as engine events. */
export interface PevLinkPort {
  open(sessionId: SessionId): void;
  close(sessionId: SessionId): void;
  /** Re-binding: ask the PEV to prove the per-PEV secret (FR-09, FR-28). */
  challenge(vin: Vin, secretHex: string | null): void;
  /** The binding result (FR-16); at commissioning with parameters and the per-PEV secret (FR-18). */
  confirm(status: BindingStatus, params: AuthenticationParameters | null, pevSecretHex: string | null): void;
  /** The EVSE reports a vehicle identifier while no vehicle has opened a link: fall back to ID-only. */
  vehicleId?(id: string): void;
  /** For an EUMD reachable over the link (BR-8); Modbus/Zigbee EUMDs are handled by the hub itself. */
  eumdDetect?(params: AuthenticationParameters): boolean;
}

export interface BindingAnswer {
  status: BindingStatus;
  params: AuthenticationParameters | null;
  /** Fresh per-PEV secret, at commissioning only; stored by the hub for later challenges. */
  pevSecretHex: string | null;
}

export interface BindingRequest { sessionId: SessionId; vin: Vin; premisesId: PremisesId; path: BindingPath; proofOk: boolean }

/** Raised by a UtilityPort when the utility cannot be reached (as opposed to answering): the protocol's own error. */
export { UtilityUnreachableError } from "../../cloud-sync/protocol/index.ts";

export interface UtilityPort {
  validateBinding(req: BindingRequest): Promise<BindingAnswer>;
  /** Offline check of a stored credential (utility-signed, Ed25519) for re-binding when unreachable. */
  credentialValid(credential: unknown, vin: Vin, premisesId: PremisesId, now: number): boolean;
}

/** One engine step as the store commits it. */
export interface CommittedStep { before: HubState; state: HubState; commands: readonly Command[] }

/**
 * Where everything the hub sends goes: the durable outbox in production. `stage` runs INSIDE the SQLite transaction
 * that commits the step, so a session report, an acknowledgement or a DR status exists exactly when the step that
 * caused it does — a kill can no longer fall between the two (issue 12).
 */
export interface ReportSink {
  /** Queues the step's outgoing messages (session.report, utility.ack, dr.status) in the step's own transaction. */
  stage(step: CommittedStep): void;
  /** After the commit: start sending what was staged. */
  committed(): void;
}

/** What a binding decided, for displays that show it in their own words (Zigbee SE DisplayMessage, FR-17, FR-24). */
export interface BindingOutcome { established: boolean; programName?: string; reason?: string; fallbackReason?: FallbackReason }

/** `outcome` is set when the text reports a binding result (established or fallback). */
export interface Display { show(text: string, outcome?: BindingOutcome): void }

// The network as the dashboard shows it is part of the hub's wire contract (core/hub-api).
export type { ZigbeeDeviceView, ZigbeeNetworkView };

/** The Zigbee network as the dashboard sees it: its devices and a time-limited permit-join. */
export interface ZigbeeNetwork {
  view(): ZigbeeNetworkView;
  permitJoin(seconds: number): Promise<void>;
}

export interface OcppNetwork {
  view(): OcppView;
  /** The owner accepts a pending charge point; it becomes the hub's charger. */
  accept(id: string, allowNoPassword: boolean): OcppView;
}

export interface HubPorts {
  charger: Charger | null;
  eumd: Meter | null;
  premisesMeter: Meter | null;
  pevLink: PevLinkPort | null;
  utility: UtilityPort | null;
  reports: ReportSink | null;
  displays: Display[];
}
