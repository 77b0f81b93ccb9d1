// The dashboard's Settings page: GET /api/v1/dashboard/settings, the session settings and the sync outbox.
import type { DeviceHealth, FallbackPreferenceName } from "./status.ts";

/** The sync outbox as the owner sees it: what still waits for the utility, and why the last try failed. */
export interface OutboxView { waiting: number; oldestCreatedAtMs: number | null; lastError: string | null; deadLetters: number }

export interface SettingsView {
  timeZone: string;
  commWaitS: number;
  intervalS: number;
  pendingIntervalS: number | null;
  fallbackPreference: FallbackPreferenceName;
  utility: DeviceHealth;
  /** Null when the hub runs without sync. */
  outbox: OutboxView | null;
  guestView: boolean;
}
