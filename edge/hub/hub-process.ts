// A hub as `offpeak hub` runs it: devices from the config, the PEV-link server, the utility link with its outbox,
// tariffs and the dashboard, around startHub(). Each part is optional so the hub still runs — and falls back by the
// rules — when one is missing.
import type { KeyObject } from "node:crypto";
import { join } from "node:path";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { Meter } from "../../core/ports/index.ts";
import { processClock, type Clock } from "../../core/time/index.ts";
import { startTcpPevLinkServer, type PevLinkServer } from "../../drivers/pevlink/index.ts";
import type { HubConfig } from "../config/schema.ts";
import type { Dashboard } from "../http/dashboard/index.ts";
import { UtilityLink } from "../sync/utility-link.ts";
import { chargerFrom, hubDeviceMaps, meterFrom, ocppLinkFrom } from "./devices.ts";
import type { OcppLink } from "./ocpp-link.ts";
import { ChargerVehicleIds } from "./charger-vehicle-id.ts";
import { loadOrCreateHubKey } from "./hub-keys.ts";
import { PevLinkPortAdapter } from "./pevlink-port.ts";
import { premisesTariffs } from "./session-tariff.ts";
import type { HubPorts } from "./ports.ts";
import { startHub, type RunningHub } from "./runtime.ts";
import type { ZigbeeLink, ZigbeeLinkOptions } from "./zigbee-link.ts";
import type { MqttView } from "../mqtt/index.ts";

// herdsman is loaded only when [zigbee] is configured: most hubs have no coordinator.
const zigbeeLinkModule = () => import("./zigbee-link.ts");
// Likewise the mqtt package, only when [mqtt] is configured (docs/home-assistant.md).
const mqttModule = () => import("../mqtt/index.ts");
// And the dashboard (its routes, login and static files), only when it is served (not with --no-dashboard).
const dashboardModule = () => import("../http/dashboard/index.ts");

export interface HubProcessOptions {
  sync: boolean;
  dashboard: boolean;
  clock?: Clock;
  log?: (line: string) => void;
  /** Overrides where Zigbee meters come from (default: the [zigbee] coordinator, when configured). */
  zigbeeMeter?: (ieee: string, endpoint: number) => Meter;
  /** Tests only: run the [zigbee] coordinator on this adapter double instead of a real stick. */
  zigbeeAdapterForTests?: ZigbeeLinkOptions["adapterForTests"];
  /** Where the dashboard's built files are (default ui/dist). */
  uiDistDir?: string;
  /** How errors name the config (its file path, or "defaults"). */
  configSource?: string;
}

export interface RunningHubProcess extends RunningHub {
  hubPublicKeyPem: string;
  pevLinkPort: number | null;
  utilityLink: UtilityLink | null;
  dashboard: Dashboard | null;
  /** The Zigbee SE side, when [zigbee] is configured. */
  zigbee: ZigbeeLink | null;
  /** The MQTT view (Home Assistant discovery), when [mqtt] is configured and enabled. */
  mqtt: MqttView | null;
  /** The OCPP central system and the hub's charge point, when [devices.charger] driver = "ocpp". */
  ocpp: OcppLink | null;
}

export async function startHubProcess(config: HubConfig, o: HubProcessOptions): Promise<RunningHubProcess> {
  const log = o.log ?? ((l: string) => console.log(l));
  const clock = o.clock ?? processClock(process.env.OFFPEAK_SIM_CLOCK, config.hub.speed);
  // Register maps first: a broken user map or an unknown map name is reported before anything is opened.
  const deps = { clock, log, maps: await hubDeviceMaps(config, log), mapsDir: config.hub.data_dir };
  const source = o.configSource ?? "the configuration";
  const keys = loadOrCreateHubKey(config.hub.data_dir);
  let pevServer: PevLinkServer | null = null;
  try {
    pevServer = await startTcpPevLinkServer({ host: config.pevlink.host, port: config.pevlink.port, clock, hubName: config.hub.id });
  } catch (e) {
    throw new Error(`hub: cannot open the PEV link on ${config.pevlink.host}:${config.pevlink.port}: ${(e as Error).message}; set [pevlink] port (OFFPEAK_PEVLINK_PORT)`);
  }
  const pevLink = new PevLinkPortAdapter(pevServer, clock, log);
  let zigbee: ZigbeeLink | null = null;
  if (config.zigbee) {
    const { ZigbeeLink } = await zigbeeLinkModule();
    try {
      zigbee = await ZigbeeLink.start({
        config: config.zigbee, dataDir: join(config.hub.data_dir, "zigbee"), clock, log, hubName: config.hub.id,
        ...(o.zigbeeAdapterForTests ? { adapterForTests: o.zigbeeAdapterForTests } : {}),
      });
    } catch (e) {
      await pevServer.close();
      throw new Error(`hub: [zigbee] ${(e as Error).message}; check [zigbee] path and adapter (docs/zigbee.md)`);
    }
    pevLink.attach(zigbee.pevSessions);
  }
  const se = zigbee;
  const zigbeeMeter = o.zigbeeMeter ?? (se ? (ieee: string, endpoint: number) => se.meter(ieee, endpoint) : undefined);
  let ports: HubPorts;
  let ocpp: OcppLink | null = null;
  const more: { id: string; ports: HubPorts }[] = [];
  try {
    ocpp = await ocppLinkFrom(config, deps);
    const ch = config.devices.charger;
    ports = {
      charger: await chargerFrom(ch, "devices.charger", deps, source, ocpp),
      eumd: ocpp && ch.driver === "ocpp" && ch.meter_is_eumd ? ocpp.meter : await meterFrom(config.devices.eumd, "devices.eumd", deps, zigbeeMeter, source),
      premisesMeter: await meterFrom(config.devices.premises_meter, "devices.premises_meter", deps, zigbeeMeter, source),
      pevLink,
      utility: null,
      reports: null,
      displays: se ? [se.display] : [],
    };
    // More charge points ([[charge_points]], and OCPP ones the owner accepted after the first): one engine each.
    for (const [n, cp] of config.charge_points.entries()) {
      const key = `charge_points[${n}]`;
      const eumd = ocpp && cp.charger.driver === "ocpp" && cp.charger.meter_is_eumd ? ocpp.meterFor(cp.id) : await meterFrom(cp.eumd, `${key}.eumd`, deps, zigbeeMeter, source);
      more.push({ id: cp.id, ports: chargePointPorts(await chargerFrom(cp.charger, `${key}.charger`, deps, source, ocpp, cp.id), eumd, clock, log) });
    }
    for (const [id] of ocpp?.acceptedMore() ?? []) more.push({ id, ports: chargePointPorts(ocpp!.chargerFor(id), ocpp!.meterFor(id), clock, log) });
  } catch (e) {
    // The coordinator holds its stick (or TCP connection) open: let go of it before reporting the config problem.
    await se?.stop().catch(() => {});
    await ocpp?.stop().catch(() => {});
    await pevServer.close();
    throw e;
  }
  const tariffs = premisesTariffs(config.premises.default_tariff, log);
  let link: UtilityLink | null = null;
  // The outbox exists once the utility link does (after the server starts); the dashboard asks for it per request.
  const outbox = () => (link as UtilityLink | null)?.outbox ?? null;
  const dashboard = o.dashboard ? (await dashboardModule()).createDashboard({ timeZone: config.premises.time_zone, tariffs, outbox, log, zigbee, ocpp, ...(o.uiDistDir ? { distDir: o.uiDistDir } : {}) }) : null;
  let running: RunningHub;
  try {
    running = await startHub({
      config, ports, clock, log,
      tariffs,
      guard: dashboard?.guard,
      mount: dashboard?.mount,
      chargePoints: more,
      beforeStart: ({ hubs, store }) => {
        if (!o.sync) return;
        link = new UtilityLink({
          baseUrl: config.utility.url, hubId: config.hub.id as HubId, premisesId: config.premises.id as PremisesId,
          utilityId: config.premises.utility_id as UtilityId, hubKey: keys.privateKey as KeyObject, utilityKeys: new Map(),
          store, clock, log, eumdId: describeEumd(config),
          // Several charge points: reports name theirs and its EUMD (a single-charger hub's reports stay as they were).
          ...(more.length || ocpp ? { chargePointEumdId: (cp: string | null) => describeChargePointEumd(config, cp) } : {}),
        });
        for (const p of [ports, ...more.map((m) => m.ports)]) { p.utility = link; p.reports = link; }
        // Tariff, interval, comm-wait and DR from the utility are the premises': every charge point's engine gets them.
        link.dispatch = (e) => Promise.all(hubs.map((h) => h.dispatch(e)));
      },
    });
  } catch (e) {
    await se?.stop().catch(() => {});
    await ocpp?.stop().catch(() => {});
    await pevServer.close();
    throw e;
  }
  pevLink.dispatch = (e) => running.hub.dispatch(e);
  if (ocpp) {
    // The charger's idTags: registered tags stand for their VIN on the ID-only path of that charge point's engine;
    // a new one starts a new session there.
    const tagsOf = new Map<string | null, ChargerVehicleIds>();
    const watchTags = (hub: RunningHub["hub"], port: PevLinkPortAdapter) => {
      const ids = new ChargerVehicleIds(hub, running.store, clock, log);
      port.resolveVehicleId = ids.resolve;
      tagsOf.set(hub.chargePointId, ids);
    };
    watchTags(running.hub, pevLink);
    more.forEach((m, n) => watchTags(running.hubs[n + 1]!, m.ports.pevLink as PevLinkPortAdapter));
    ocpp.onVehicleId((tag, cp) => tagsOf.get(cp)?.seen(tag));
    const link_ = ocpp;
    // A charge point the owner accepts once the first is taken runs at once, with its own engine (issue 16 item 7).
    ocpp.onAccepted((id) => {
      const p = chargePointPorts(link_.chargerFor(id), link_.meterFor(id), clock, log);
      const l = link as UtilityLink | null;
      p.utility = l; p.reports = l;
      const hub = running.addChargePoint(id, p);
      (p.pevLink as PevLinkPortAdapter).dispatch = (e) => hub.dispatch(e);
      watchTags(hub, p.pevLink as PevLinkPortAdapter);
      const dispatchAll = (e: Parameters<RunningHub["hub"]["dispatch"]>[0]) => Promise.all(running.hubs.map((h) => h.dispatch(e)));
      if (l) l.dispatch = dispatchAll;
    });
  }
  more.forEach((m, n) => { (m.ports.pevLink as PevLinkPortAdapter).dispatch = (e) => running.hubs[n + 1]!.dispatch(e); });
  zigbee?.attach(running.hub);
  (link as UtilityLink | null)?.start();
  if (dashboard) dashboard.printSetupCode(log, running.url);
  let mqtt: MqttView | null = null;
  if (config.mqtt) {
    const m = await mqttModule();
    if (config.mqtt.enabled) {
      mqtt = await m.MqttView.start({
        config: config.mqtt, hubId: config.hub.id, hub: running.hub, hubs: running.hubs, store: running.store, clock, log,
        timeZone: config.premises.time_zone, tariffs,
      });
    } else {
      // Turned off: clear what an earlier run left retained on the broker, in the background.
      void m.removeFromBroker({ config: config.mqtt, hubId: config.hub.id, log, chargePoints: running.hubs.flatMap((h) => (h.chargePointId === null ? [] : [h.chargePointId])) });
    }
  }
  return {
    ...running,
    hubPublicKeyPem: keys.publicKeyPem,
    pevLinkPort: pevServer.port,
    utilityLink: link,
    dashboard,
    zigbee,
    mqtt,
    ocpp,
    async stop() {
      await mqtt?.stop();
      await (link as UtilityLink | null)?.stop();
      await running.stop();
      await pevServer?.close();
      for (const d of [ports.charger, ports.eumd, ports.premisesMeter, ...more.flatMap((m) => [m.ports.charger, m.ports.eumd])]) await d?.close().catch(() => {});
      await zigbee?.stop().catch((e: Error) => log(`hub: zigbee did not stop cleanly: ${e.message}`));
      await ocpp?.stop().catch((e: Error) => log(`hub: the OCPP central system did not stop cleanly: ${e.message}`));
    },
  };
}

/**
 * The ports of a charge point beside [devices.charger]: its charger and EUMD. The secure PEV link (one TCP server, one
 * Zigbee tunnel) serves [devices.charger]; here a vehicle identifies itself through the charger (an idTag or a
 * vehicle ID the EVSE reports), the ID-only path, with its own adapter so each plug-in is its own.
 */
function chargePointPorts(charger: HubPorts["charger"], eumd: HubPorts["eumd"], clock: Clock, log: (l: string) => void): HubPorts {
  const noSecureLink = { onSession: () => {}, onLinkError: () => {} };
  return { charger, eumd, premisesMeter: null, pevLink: new PevLinkPortAdapter(noSecureLink, clock, log), utility: null, reports: null, displays: [] };
}

/** Names a charge point's EUMD for the utility (null: [devices.charger]'s). */
function describeChargePointEumd(config: HubConfig, chargePoint: string | null): string {
  if (chargePoint === null) return describeEumd(config);
  const cp = config.charge_points.find((c) => c.id === chargePoint);
  if (!cp) return `ocpp:accepted:${chargePoint}`.slice(0, 64); // accepted on the dashboard: its charger's meter
  if (cp.charger.driver === "ocpp" && cp.charger.meter_is_eumd) return `ocpp:${cp.charger.charge_point_id}#${cp.charger.connector_id}`.slice(0, 64);
  return describeDevice(cp.eumd);
}

function describeEumd(config: HubConfig): string {
  const c = config.devices.charger;
  if (c.driver === "ocpp" && c.meter_is_eumd) return `ocpp:${c.charge_point_id ?? "accepted"}#${c.connector_id}`.slice(0, 64);
  return describeDevice(config.devices.eumd);
}

function describeDevice(d: HubConfig["devices"]["eumd"]): string {
  if (d.driver === "modbus") return `${d.map}@${d.transport.kind === "rtu" ? d.transport.path : `${d.transport.host}:${d.transport.port}`}/${d.transport.unit_id}`.slice(0, 64);
  if (d.driver === "zigbee") return d.ieee;
  return "none";
}
