// The dashboard's entry point: registers the components; <op-app> in index.html takes it from there.
// The live stream is opened at once, in parallel with the login check, so the Now page's first figures do not
// wait for two round trips in a row; if nobody is logged in the hub refuses it and it is reopened after login.
import { live } from "./live-connection.ts";
import "./op-app.ts";

live.open();
