// Which hub a session belongs to (issue 13). A hub names its sessions itself (`<premises>-<time>-<seq>`), and any
// paired hub can write any name, so the head-end never looks a session up by that name alone: (hub, name) maps to
// the head-end's own session ID and to the binding or fallback ID it minted — at binding validation when the request
// named the session, else at the first report. Another hub using the same name gets a session of its own and can
// never reach, reverse or pre-empt this one; a report presenting a binding ID this hub did not open is refused (403).
import type { Database, Statement } from "bun:sqlite";
import type { UtcSeconds } from "../../../core/time/utc.ts";
import { mintBindingId } from "../binding/binding-grants.ts";
import { HeadEndError } from "../errors.ts";

export interface SessionKey { sessionId: string; bindingId: string; opened: boolean }

export class SessionKeys {
  private readonly byHub: Statement;
  private readonly insert: Statement;
  private readonly nameTaken: Statement;
  private readonly legacy: Statement;

  constructor(db: Database) {
    this.byHub = db.prepare("SELECT session_id, binding_id FROM session_keys WHERE hub_id = ? AND hub_session_id = ?");
    this.insert = db.prepare("INSERT INTO session_keys (hub_id, hub_session_id, session_id, premises_id, binding_id, opened_at) VALUES (?, ?, ?, ?, ?, ?)");
    this.nameTaken = db.prepare("SELECT 1 FROM session_keys WHERE session_id = ? UNION ALL SELECT 1 FROM sessions WHERE session_id = ? LIMIT 1");
    // Sessions stored before keys existed: the hub that reported them keeps them.
    this.legacy = db.prepare("SELECT hub_id FROM sessions WHERE session_id = ? LIMIT 1");
  }

  /** The key of (hub, name), if that hub opened it. */
  get(hubId: string, hubSessionId: string): SessionKey | null {
    const r = this.byHub.get(hubId, hubSessionId) as { session_id: string; binding_id: string } | null;
    return r ? { sessionId: r.session_id, bindingId: r.binding_id, opened: false } : null;
  }

  /**
   * The session a report from `hubId` is about: the key that hub opened, else a new one. `presented` is the binding ID
   * the report carries, if any: one this hub did not open for this session is a 403 (`binding-not-yours`).
   */
  resolve(hubId: string, hubSessionId: string, premisesId: string, now: UtcSeconds, presented: string | undefined, ownGrant: (bindingId: string) => boolean): SessionKey {
    let key = this.get(hubId, hubSessionId);
    if (!key) key = this.open(hubId, hubSessionId, premisesId, presented !== undefined && ownGrant(presented) ? presented : null, now);
    if (presented !== undefined && presented !== key.bindingId) {
      throw new HeadEndError("forbidden", `binding ID ${presented} was not opened by hub ${hubId} for session ${hubSessionId}`, "bindingId", { code: "binding-not-yours" });
    }
    return key;
  }

  /** Opens (hub, name) under a binding ID (a grant's, or a fresh fallback ID). */
  open(hubId: string, hubSessionId: string, premisesId: string, bindingId: string | null, now: UtcSeconds): SessionKey {
    const existing = this.get(hubId, hubSessionId);
    if (existing) return existing;
    const legacyHub = (this.legacy.get(hubSessionId) as { hub_id: string } | null)?.hub_id;
    // The head-end's ID is the hub's name when nobody holds it yet (operators and CDRs see the name the hub shows);
    // a name another hub already holds gets this hub's suffix, so the two sessions never meet.
    const sessionId = legacyHub === hubId || !this.nameTaken.get(hubSessionId, hubSessionId) ? hubSessionId : `${hubSessionId}@${hubId}`;
    const id = bindingId ?? mintBindingId("fbk");
    this.insert.run(hubId, hubSessionId, sessionId, premisesId, id, now);
    return { sessionId, bindingId: id, opened: true };
  }
}
