// What the dashboard's state-changing routes answer (POST, behind login and the CSRF header), and the login state.
import type { ZigbeeNetworkView } from "./devices.ts";
import type { ChargeModeName, FallbackPreferenceName } from "./status.ts";

/** GET /api/v1/auth/state: what the page needs to decide between setup, login and the dashboard. */
export interface AuthStateView {
  setupNeeded: boolean;
  loggedIn: boolean;
  role: "owner" | "guest" | null;
  csrf: string | null;
  guestView: boolean;
  minPasswordLength: number;
}

/** POST /api/v1/auth/setup and /api/v1/auth/login: the CSRF token of the new login session. */
export interface LoginAnswer { ok: true; csrf: string }

/** POST /api/v1/dashboard/charge-mode. */
export interface ChargeModeAnswer { ok: true; mode: ChargeModeName; departAt: string | null; planAllowsNow: boolean }

/** POST /api/v1/dashboard/dr/opt-out. */
export interface DrOptOutAnswer { ok: true; id: string; optedOut: boolean }

/** POST /api/v1/dashboard/fallback. */
export interface FallbackAnswer { ok: true; preference: FallbackPreferenceName }

/** POST /api/v1/dashboard/zigbee/permit-join: the network with permit-join open (or closed). */
export type PermitJoinAnswer = { ok: true } & ZigbeeNetworkView;
