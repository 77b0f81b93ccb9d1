// Child process for hub-start-modules.test.ts: runs `offpeak hub` with the given arguments in this process, and once
// the hub is listening (and the packages named in START_MODULES_AWAIT, if any, have loaded: the Modbus client loads
// at the first poll) and no module has been added for a quarter second, prints every module this process has loaded,
// as one JSON line, and exits.
// Bun's require.cache lists ES modules and CommonJS modules alike, by absolute path.
import { main } from "./offpeak.ts";

const awaited = (process.env.START_MODULES_AWAIT ?? "").split(",").filter(Boolean);
const loaded = () => Object.keys(require.cache);
const print = console.log;
let reported = false;
console.log = (...args: unknown[]) => {
  print(...args);
  if (reported || !/offpeak hub: listening on/.test(String(args[0]))) return;
  reported = true;
  void (async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !awaited.every((p) => loaded().some((m) => m.includes(`/node_modules/${p}/`)))) await Bun.sleep(20);
    // A package's entry is listed as soon as its loading starts: wait until what it requires has been added too.
    for (let n = -1; n !== loaded().length; ) { n = loaded().length; await Bun.sleep(250); }
    print(`START-MODULES ${JSON.stringify(loaded())}`);
    process.exit(0);
  })();
};
process.exit(await main(process.argv.slice(2)));
