// edge/: the hub (`offpeak hub`). Its public surface is what a launcher needs: load the config, run the hub.
export * from "./config/index.ts";
export * from "./hub/index.ts";
