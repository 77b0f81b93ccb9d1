// Every map decoded against register vectors built from its vendor documentation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeField, encodeField, registerCount } from "../modbus/codec.ts";
import { decodeChargerState } from "../modbus/charger.ts";
import { planReads } from "../modbus/read-plan.ts";
import { abbTerraAc, alfenEve, DEVICE_MAPS, eastronSdm120, eastronSdm630, findDeviceMap, getMeterMap, offpeakSimEvse } from "./index.ts";

const close = (a: number, b: number, eps = 1e-3) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

test("SDM120: 30001 voltage float 0x4366 0x0000 = 230.0 V at address 0x0000 (Eastron protocol example)", () => {
  const f = eastronSdm120.fields.voltage!;
  assert.is(f.address, 0x0000);
  assert.is(f.table, "input");
  close(Number(decodeField(f, [0x4366, 0x0000])), 230.0);
});

test("SDM120: active power 0x000C and import energy 0x0048 (kWh float32) decode", () => {
  assert.is(eastronSdm120.fields.activePower!.address, 0x000c);
  assert.is(eastronSdm120.fields.importActiveEnergy!.address, 0x0048);
  // 1840.0 W = 0x44E6 0x0000; 12.5 kWh = 0x4148 0x0000 (IEEE 754 single, high word first)
  close(Number(decodeField(eastronSdm120.fields.activePower!, [0x44e6, 0x0000])), 1840);
  close(Number(decodeField(eastronSdm120.fields.importActiveEnergy!, [0x4148, 0x0000])), 12.5);
});

test("SDM630: total system power 30053 → 0x0034, import kWh 30073 → 0x0048, total kWh 30343 → 0x0156", () => {
  assert.is(eastronSdm630.fields.totalSystemPower!.address, 0x0034);
  assert.is(eastronSdm630.fields.importActiveEnergy!.address, 0x0048);
  assert.is(eastronSdm630.fields.totalActiveEnergy!.address, 0x0156);
  close(Number(decodeField(eastronSdm630.fields.totalSystemPower!, [0x4640, 0xe400])), 12345);
});

test("SDM maps: a full poll is one request per coalesced block, within the 30-parameter limit", () => {
  const m = getMeterMap("sdm630");
  const blocks = planReads(m.fields, Object.keys(m.fields), m);
  for (const b of blocks) assert.ok(b.count <= 60, `block of ${b.count} registers exceeds the SDM limit`);
  // 0x0000-0x0011, 0x0034-0x0035, 0x0046-0x004B, 0x0156: gaps above 10 registers are not worth reading
  assert.equal(blocks.map((b) => b.start), [0x0000, 0x0034, 0x0046, 0x0156]);
});

test("ABB Terra AC: charging state bits 8-14 of 400Ch; limit in mA; power W; energy Wh", () => {
  const st = abbTerraAc.fields.chargingState!;
  assert.is(st.address, 0x400c);
  // State C2 (charging) = 4 in bits 8-14 of the low word: 0x0000 0x0400
  assert.is(decodeField(st, [0x0000, 0x0400]), 4);
  assert.is(decodeChargerState("abb", abbTerraAc, 4), "C");
  assert.is(decodeChargerState("abb", abbTerraAc, decodeField(st, [0x0000, 0x0000])), "A");
  assert.is(decodeChargerState("abb", abbTerraAc, decodeField(st, [0x0000, 0x0200])), "B");
  // 16 A = 16000 mA = 0x00003E80
  close(Number(decodeField(abbTerraAc.fields.chargingCurrentLimit!, [0x0000, 0x3e80])), 16);
  assert.equal(encodeField(abbTerraAc.fields.setCurrentLimit!, 10), [0x0000, 0x2710]);
  assert.is(abbTerraAc.fields.setCurrentLimit!.address, 0x4100);
  assert.is(abbTerraAc.fields.startStopSession!.address, 0x4105);
});

test("Alfen Eve: Mode 3 state ASCII at 1201 (5 registers), max current float32 at 1210, energy float64 at 374", () => {
  const st = alfenEve.fields.mode3State!;
  assert.is(registerCount(st), 5);
  // "C2" = 0x4332, then NUL padding
  assert.is(decodeField(st, [0x4332, 0, 0, 0, 0]), "C2");
  assert.is(decodeChargerState("alfen", alfenEve, "C2"), "C");
  assert.is(decodeChargerState("alfen", alfenEve, "B1"), "B");
  assert.equal(encodeField(alfenEve.fields.modbusMaxCurrent!, 16), [0x4180, 0x0000]);
  close(Number(decodeField(alfenEve.fields.realEnergyDelivered!, [0x40c3, 0x8800, 0, 0])), 10000);
});

test("unknown charger state is rejected with the device and raw value", () => {
  assert.throws(() => decodeChargerState("alfen@x", alfenEve, "Z9"), /alfen@x: garbage: unknown charging state "Z9"/);
});

test("codec: word order, signed types, scale round-trip on every type", () => {
  const base = { table: "holding" as const, address: 0, description: "t" };
  assert.is(decodeField({ ...base, type: "i16" }, [0xfffe]), -2);
  assert.is(decodeField({ ...base, type: "i32" }, [0xffff, 0xfffe]), -2);
  assert.is(decodeField({ ...base, type: "u32", wordOrder: "low-first" }, [0x0002, 0x0001]), 0x00010002);
  close(Number(decodeField({ ...base, type: "u16", scale: 0.1 }, [2305])), 230.5);
  for (const type of ["u16", "i16", "u32", "i32", "float32", "float64"] as const) {
    for (const wordOrder of ["high-first", "low-first"] as const) {
      const f = { ...base, type, wordOrder };
      close(Number(decodeField(f, encodeField(f, 123))), 123);
    }
  }
  assert.is(decodeField({ ...base, type: "ascii", words: 9 }, encodeField({ ...base, type: "ascii", words: 9 }, "1N4AZ0CP5DC000001")), "1N4AZ0CP5DC000001");
  assert.throws(() => encodeField({ ...base, type: "u16" }, 70000), /does not fit u16/);
});

test("read plan coalesces contiguous fields and never exceeds 125 registers", () => {
  const fields: Record<string, import("./types.ts").RegisterField> = {};
  for (let i = 0; i < 100; i++) fields[`f${i}`] = { table: "holding", address: i * 2, type: "float32", description: "" };
  const blocks = planReads(fields, Object.keys(fields));
  assert.equal(blocks.map((b) => [b.start, b.count]), [[0, 124], [124, 76]]);
  const sim = planReads(offpeakSimEvse.fields, Object.keys(offpeakSimEvse.fields), offpeakSimEvse);
  assert.is(sim.length, 1);
});

test("every registered map is consistent: capabilities name real fields, writable setpoints, unique id", () => {
  const ids = new Set<string>();
  for (const m of DEVICE_MAPS) {
    assert.not.ok(ids.has(m.id), `duplicate ${m.id}`);
    ids.add(m.id);
    assert.ok(m.source.length > 10, `${m.id} cites its source`);
    const caps = m.kind === "meter" ? [m.capabilities.power, m.capabilities.energyImport] : [m.capabilities.state, m.capabilities.currentLimitSetpoint];
    for (const c of caps) assert.ok(m.fields[c], `${m.id}: capability field ${c} exists`);
    if (m.kind === "charger") assert.ok(m.fields[m.capabilities.currentLimitSetpoint]!.writable, `${m.id}: setpoint writable`);
  }
  assert.is(findDeviceMap("sdm630")?.id, "eastron-sdm630");
  assert.throws(() => getMeterMap("abb"), /unknown meter map "abb": known maps are eastron-sdm120, eastron-sdm630/);
});

test.run();
