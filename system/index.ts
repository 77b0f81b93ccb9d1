// system/: what wires the programs together — the `offpeak` CLI that dispatches to each program, the demo that runs
// them all on one machine, and the story test. The only folder allowed to import every deployable.
export { main } from "./cli/offpeak.ts";
