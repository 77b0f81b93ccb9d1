// What the hub does with Smart Energy, as the premises' Energy Services Interface: publishes the tariff price at each
// period change and answers GetCurrentPrice; sends utility DR events to the EV device class and records their status;
// shows binding results with DisplayMessage (FR-17, FR-24); serves SE meters as Meter ports; accepts PEV-link tunnels.
import type { Endpoint } from "zigbee-herdsman/dist/controller/model/index.js";
import type { MessagePayload } from "zigbee-herdsman/dist/controller/events.js";
import type { Clock } from "../../core/time/index.ts";
import type { ZigbeeCoordinator } from "./coordinator.ts";
import { DEVICE_CLASS_EV, loadControlEventPayload, parseReportEventStatus, type EventStatusReport, type LoadControlEvent } from "./drlc-messages.ts";
import { bindingMessageText, cancelMessagePayload, displayMessagePayload, type DisplayMessage } from "./messaging-messages.ts";
import { seCalls } from "./endpoint-calls.ts";
import { ZigbeeSeMeter } from "./metering.ts";
import { publishPriceFromTariff, publishPricePayload, type PriceAt, type PublishPrice } from "./price-messages.ts";
import { DRLC, DRLC_CLUSTER_ID, MESSAGING, MESSAGING_CLUSTER_ID, METERING_CLUSTER_ID, PRICE, PRICE_CLUSTER_ID } from "./se-clusters.ts";
import { fromZigbeeUtc } from "./se-time.ts";
import { PEV_LINK_TUNNEL_PROTOCOL, TUNNEL_STATUS, ZigbeeTunnel, type TunnelByteChannel } from "./tunnel.ts";

export interface ZigbeeSmartEnergyOptions {
  coordinator: ZigbeeCoordinator;
  clock: Clock;
  /** The utility's provider ID in PublishPrice. */
  providerId: number;
  /** At most this many open PEV-link tunnels (default 4). */
  maxTunnels?: number;
}

const samePrice = (a: PriceAt, b: PriceAt): boolean =>
  a.period === b.period && a.since === b.since && a.priceMicroUsdPerKWh === b.priceMicroUsdPerKWh && a.label === b.label && a.tiers === b.tiers;

export interface MessageConfirmation { ieeeAddr: string; messageId: number; at: number }

type Sendable = Record<string, unknown>;

export class ZigbeeSmartEnergy {
  /** The price in force and whether every Price client has been told it. */
  private current?: { at: PriceAt; issuerEventId: number; published: boolean };
  private nextIssuerId: number;
  private nextMessageId = 1;
  private nextTunnelId = 1;
  readonly eventReports: EventStatusReport[] = [];
  readonly confirmations: MessageConfirmation[] = [];
  readonly priceAcks: Array<{ ieeeAddr: string; issuerEventId: number; at: number }> = [];
  private readonly tunnels = new Map<number, ZigbeeTunnel>();
  private readonly meters = new Map<string, ZigbeeSeMeter>();
  private readonly tunnelCbs: Array<(t: TunnelByteChannel) => void> = [];
  private readonly statusCbs: Array<(r: EventStatusReport) => void> = [];
  private readonly errorCbs: Array<(e: Error) => void> = [];
  private readonly onMessage = (m: MessagePayload): void => {
    this.handle(m).catch((e: Error) => this.report(e));
  };

  constructor(private readonly opts: ZigbeeSmartEnergyOptions) {
    // Issuer event IDs must grow across restarts (devices ignore older ones): seed from the clock.
    this.nextIssuerId = opts.clock.now() >>> 0;
    opts.coordinator.controller.on("message", this.onMessage);
  }

  onTunnel(cb: (t: TunnelByteChannel) => void): void {
    this.tunnelCbs.push(cb);
  }
  onEventStatus(cb: (r: EventStatusReport) => void): void {
    this.statusCbs.push(cb);
  }
  /** Failures while answering devices (they never throw into herdsman). */
  onError(cb: (e: Error) => void): void {
    this.errorCbs.push(cb);
  }

  /**
   * The price in force now. Publishes to every Price client when the period (or its price, label or tier count)
   * changed, or when the last publication of this price did not reach every client; returns whether it sent.
   * Throws when the price cannot be told in a PublishPrice or a client could not be reached: never a silent success.
   */
  async setPrice(at: PriceAt): Promise<boolean> {
    const c = this.current;
    const same = c !== undefined && samePrice(c.at, at);
    if (same && c.published) return false;
    const issuerEventId = same ? c.issuerEventId : this.nextIssuerId++;
    let payload: Sendable;
    try {
      payload = publishPricePayload(publishPriceFromTariff(at, { providerId: this.opts.providerId, issuerEventId, now: this.opts.clock.now() }));
    } catch (e) {
      // A price we cannot tell is not in force on the network either: GetCurrentPrice then gets no answer, not a stale one.
      this.current = undefined;
      throw new Error(`PublishPrice for ${JSON.stringify(at.label)} (period ${at.period}) cannot be sent: ${(e as Error).message}`);
    }
    const current = { at, issuerEventId, published: false };
    this.current = current;
    await this.toClients(PRICE_CLUSTER_ID, (ep) => seCalls(ep).commandResponse(PRICE, "publishPrice", payload, { disableDefaultResponse: true }));
    current.published = true;
    return true;
  }

  currentPublishPrice(): PublishPrice | undefined {
    if (!this.current) return undefined;
    return publishPriceFromTariff(this.current.at, { providerId: this.opts.providerId, issuerEventId: this.current.issuerEventId, now: this.opts.clock.now() });
  }

  /** A utility DR event for the EV (device class 0x0400) to every DRLC client. Returns the issuer event ID. */
  async sendLoadControlEvent(ev: Omit<LoadControlEvent, "issuerEventId" | "deviceClass"> & { issuerEventId?: number; deviceClass?: number }): Promise<number> {
    const issuerEventId = ev.issuerEventId ?? this.nextIssuerId++;
    const payload = loadControlEventPayload({ ...ev, issuerEventId, deviceClass: ev.deviceClass ?? DEVICE_CLASS_EV });
    await this.toClients(DRLC_CLUSTER_ID, (ep) => seCalls(ep).commandResponse(DRLC, "loadControlEvent", payload, { disableDefaultResponse: true }));
    return issuerEventId;
  }

  async cancelLoadControlEvent(issuerEventId: number, deviceClass = DEVICE_CLASS_EV): Promise<void> {
    const payload = { issuerEventId, deviceClass, utilityEnrollmentGroup: 0, cancelControl: 0, effectiveTime: 0 };
    await this.toClients(DRLC_CLUSTER_ID, (ep) => seCalls(ep).commandResponse(DRLC, "cancelLoadControlEvent", payload, { disableDefaultResponse: true }));
  }

  /** FR-17, FR-24: tell the customer, on every SE display (IHD, EVSE, EV), whether a charging session was established. */
  async showBindingResult(result: { established: boolean; programName?: string; reason?: string }, durationMin: DisplayMessage["durationMin"] = 60): Promise<number> {
    const messageId = this.nextMessageId++;
    const payload = displayMessagePayload({ messageId, importance: result.established ? "medium" : "high", confirmationRequired: !result.established, startTime: "now", durationMin, text: bindingMessageText(result) });
    await this.toClients(MESSAGING_CLUSTER_ID, (ep) => seCalls(ep).commandResponse(MESSAGING, "displayMessage", payload, { disableDefaultResponse: true }));
    return messageId;
  }

  /** Takes a message shown with showBindingResult off every SE display. */
  async cancelMessage(messageId: number): Promise<void> {
    const payload = cancelMessagePayload(messageId);
    await this.toClients(MESSAGING_CLUSTER_ID, (ep) => seCalls(ep).commandResponse(MESSAGING, "cancelMessage", payload, { disableDefaultResponse: true }));
  }

  /** An SE metering device as the hub's Meter port. */
  meter(ieeeAddr: string, endpointId?: number): ZigbeeSeMeter {
    const key = `${ieeeAddr}/${endpointId ?? "*"}`;
    const existing = this.meters.get(key);
    if (existing) return existing;
    const device = this.opts.coordinator.device(ieeeAddr);
    const ep = endpointId === undefined ? device.endpoints.find((e) => e.inputClusters.includes(METERING_CLUSTER_ID)) : device.getEndpoint(endpointId);
    if (!ep) throw new Error(`zigbee ${ieeeAddr}: no endpoint with the Metering cluster`);
    const m = new ZigbeeSeMeter({ label: `zigbee meter ${ieeeAddr}/${ep.ID}`, readAttributes: (names) => seCalls(ep).read("seMetering", names) }, this.opts.clock);
    this.meters.set(key, m);
    this.meters.set(`${ieeeAddr}/${ep.ID}`, m);
    return m;
  }

  close(): void {
    this.opts.coordinator.controller.off("message", this.onMessage);
    for (const t of [...this.tunnels.values()]) t.end(undefined);
  }

  private publishPayload(): Sendable {
    return publishPricePayload(this.currentPublishPrice()!);
  }

  private clients(clusterId: number): Endpoint[] {
    const eps: Endpoint[] = [];
    for (const d of this.opts.coordinator.controller.getDevices()) {
      if (d.type === "Coordinator") continue;
      for (const ep of d.endpoints) if (ep.outputClusters.includes(clusterId)) eps.push(ep);
    }
    return eps;
  }

  private async toClients(clusterId: number, send: (ep: Endpoint) => Promise<void>): Promise<void> {
    const failures: string[] = [];
    for (const ep of this.clients(clusterId)) {
      try {
        await send(ep);
      } catch (e) {
        failures.push(`${ep.getDevice().ieeeAddr}/${ep.ID}: ${(e as Error).message}`);
      }
    }
    // One unreachable display must not stop the others; the caller hears of all failures at once.
    if (failures.length) throw new Error(`cluster 0x${clusterId.toString(16).padStart(4, "0")}: ${failures.join("; ")}`);
  }

  private async handle(m: MessagePayload): Promise<void> {
    const data = m.data as Record<string, unknown>;
    const tsn = m.meta.zclTransactionSequenceNumber;
    const ieee = m.device.ieeeAddr;
    if (m.cluster === PRICE && m.type === "commandGetCurrentPrice") {
      if (!this.current) return; // nothing in force yet: SE says send nothing (the device retries)
      await seCalls(m.endpoint).commandResponse(PRICE, "publishPrice", this.publishPayload(), { disableDefaultResponse: true }, tsn);
    } else if (m.cluster === PRICE && m.type === "commandGetScheduledPrices") {
      // The hub knows the price in force, not a schedule of future prices: it answers with that one (SE allows fewer).
      if (!this.current) return;
      await seCalls(m.endpoint).commandResponse(PRICE, "publishPrice", this.publishPayload(), { disableDefaultResponse: true }, tsn);
    } else if (m.cluster === PRICE && m.type === "commandPriceAcknowledgement") {
      this.priceAcks.push({ ieeeAddr: ieee, issuerEventId: data.issuerEventId as number, at: fromZigbeeUtc(data.priceAckTime as number) });
    } else if (m.cluster === DRLC && m.type === "commandReportEventStatus") {
      const r = parseReportEventStatus(data);
      this.eventReports.push(r);
      for (const cb of this.statusCbs) cb(r);
    } else if (m.cluster === MESSAGING && m.type === "commandMessageConfirmation") {
      this.confirmations.push({ ieeeAddr: ieee, messageId: data.messageId as number, at: fromZigbeeUtc(data.confirmationTime as number) });
    } else if (m.cluster === "seMetering" && (m.type === "attributeReport" || m.type === "readResponse")) {
      for (const [k, meter] of this.meters) if (k.startsWith(`${ieee}/`)) meter.onAttributes(data);
    } else if (m.cluster === "seTunneling") {
      await this.handleTunnel(m, data, tsn);
    }
  }

  private async handleTunnel(m: MessagePayload, data: Record<string, unknown>, tsn: number | undefined): Promise<void> {
    if (m.type === "commandRequestTunnel") {
      let status: number = TUNNEL_STATUS.success;
      if (data.protocolId !== PEV_LINK_TUNNEL_PROTOCOL) status = TUNNEL_STATUS.protocolNotSupported;
      else if (data.flowControl === 1 || data.flowControl === true) status = TUNNEL_STATUS.flowControlNotSupported;
      else if (this.tunnels.size >= (this.opts.maxTunnels ?? 4)) status = TUNNEL_STATUS.busy;
      const tunnelId = status === TUNNEL_STATUS.success ? this.allocateTunnelId() : 0xffff;
      // Registered before the response leaves: the device may start TransferData the moment it hears it.
      const t = status === TUNNEL_STATUS.success ? new ZigbeeTunnel(tunnelId, m.device.ieeeAddr, m.endpoint, (x) => this.tunnels.delete(x.tunnelId)) : undefined;
      if (t) this.tunnels.set(tunnelId, t);
      try {
        await seCalls(m.endpoint).commandResponse("seTunneling", "requestTunnelRsp", { tunnelId, status, maxIncomingTransferSize: 1500 }, { disableDefaultResponse: true }, tsn);
      } catch (e) {
        t?.end(e as Error);
        throw e;
      }
      if (t) for (const cb of this.tunnelCbs) cb(t);
    } else if (m.type === "commandTransferData") {
      const t = this.tunnels.get(data.tunnelId as number);
      if (!t || t.ieeeAddr !== m.device.ieeeAddr) {
        // TransferDataError 0x00 = no such tunnel (SE 1.2 D.6.2.4.3)
        await seCalls(m.endpoint).commandResponse("seTunneling", "transferDataError", { tunnelId: data.tunnelId as number, status: 0 }, { disableDefaultResponse: true });
        return;
      }
      t.deliver(data.data as Buffer);
    } else if (m.type === "commandCloseTunnel") {
      const t = this.tunnels.get(data.tunnelId as number);
      if (t && t.ieeeAddr === m.device.ieeeAddr) t.end(new Error("device closed the tunnel"));
    }
  }

  private allocateTunnelId(): number {
    do this.nextTunnelId = (this.nextTunnelId % 0xfffe) + 1;
    while (this.tunnels.has(this.nextTunnelId));
    return this.nextTunnelId;
  }

  private report(e: Error): void {
    for (const cb of this.errorCbs) cb(e);
  }
}


