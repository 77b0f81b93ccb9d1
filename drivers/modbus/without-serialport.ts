// modbus-serial's index.js requires the `serialport` package at load (for its RTUBufferedPort and ServerSerial),
// though the hub never uses it: serial under Bun is drivers/serial, handed to modbus-serial as a plain port. That
// package is ~20 modules and ~6 MB of a hub's memory (measured: docs/raspberry-pi.md). modbus-serial already wraps
// both requires in try/catch ("optional native dep"), so `serialport` answering with an error leaves exactly the
// parts the hub uses. Imported before modbus-serial: a Bun runtime plugin applies to every later load, and the
// CommonJS require runs when modbus-serial is evaluated, after this module. The compiled executable gets the same
// stub from scripts/build-pi.ts (a build plugin); there this runtime plugin finds nothing left to load.
import { plugin } from "bun";

export const SERIALPORT_STUB = "throw new Error('serialport is not part of the Offpeak hub: serial under Bun is drivers/serial');";

/** The `serialport` package's entry file, wherever node_modules puts it. */
export const SERIALPORT_ENTRY = /[\\/]node_modules[\\/]serialport[\\/]dist[\\/]index\.js$/;

plugin({
  name: "offpeak-without-serialport",
  setup(build) {
    build.onLoad({ filter: SERIALPORT_ENTRY }, () => ({ contents: SERIALPORT_STUB, loader: "js" }));
  },
});
