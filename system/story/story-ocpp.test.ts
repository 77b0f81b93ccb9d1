// The story of use case P1 again, with the hub driving the EVSE over OCPP 1.6J: `offpeak sim`'s charge point connects
// to the hub's central system like a real charger; the EUMD stays the simulator's Modbus meter beside it (issue 16).
export {};
process.env.OFFPEAK_STORY_CHARGER = "ocpp";
await import("./story.test.ts");
