// Which hub a session belongs to (issue 13). A hub names its sessions itself (`<premises>-<time>-<seq>`), and any
// paired hub can write any name, so the head-end never takes a session by that name alone: (hub, name) maps to the
// head-end's own session ID and to the binding or fallback ID it minted — at binding validation when the request
// named the session (kept in session_keys until the first report), else at the first report (kept on the session's
// rows). The head-end's ID is the hub's name when no other hub holds it, else `<name>@<hub>`: another hub using the
// same name gets a session of its own and can never reach, reverse or pre-empt this one. A report presenting a
// binding ID this hub did not open for this session is refused (403, `binding-not-yours`).
import type { Database, Statement } from "bun:sqlite";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { mintBindingId } from "../binding/binding-grants.ts";
import { ApiError } from "../errors.ts";

export interface SessionKey { sessionId: string; bindingId: string }

export class SessionKeys {
  private readonly opened: Statement;
  private readonly insert: Statement;
  private readonly owner: Statement;
  private readonly openedByName: Statement;

  constructor(db: Database) {
    this.opened = db.prepare("SELECT session_id, binding_id FROM session_keys WHERE hub_id = ? AND hub_session_id = ?");
    this.insert = db.prepare("INSERT INTO session_keys (hub_id, hub_session_id, session_id, premises_id, binding_id, opened_at) VALUES (?, ?, ?, ?, ?, ?)");
    this.owner = db.prepare("SELECT hub_id, binding_id FROM sessions WHERE session_id = ? LIMIT 1");
    this.openedByName = db.prepare("SELECT hub_id, binding_id FROM session_keys WHERE session_id = ?");
  }

  /** Who holds the head-end ID `id` (a reported session, else one opened at validation), or null. */
  private holder(id: string): { hub_id: string; binding_id: string | null } | null {
    return (this.owner.get(id) ?? this.openedByName.get(id)) as { hub_id: string; binding_id: string | null } | null;
  }

  /** The key (hub, name) has or would get; `bindingId` null when nobody opened it yet. */
  private find(hubId: string, hubSessionId: string): { sessionId: string; bindingId: string | null } {
    const k = this.opened.get(hubId, hubSessionId) as { session_id: string; binding_id: string } | null;
    if (k) return { sessionId: k.session_id, bindingId: k.binding_id };
    const plain = this.holder(hubSessionId);
    if (!plain) return { sessionId: hubSessionId, bindingId: null };
    // Sessions stored before binding IDs existed have none: the ID is derived from the session ID, stable per session.
    if (plain.hub_id === hubId) return { sessionId: hubSessionId, bindingId: plain.binding_id ?? legacyBindingId(hubSessionId) };
    const own = `${hubSessionId}@${hubId}`;
    const mine = this.holder(own);
    return { sessionId: own, bindingId: mine ? mine.binding_id ?? legacyBindingId(own) : null };
  }

  /**
   * The session a report from `hubId` is about, minting a fallback ID on the first report. `presented` is the binding
   * ID the report carries; one this hub did not open for this session is a 403. `ownGrant` says whether a presented
   * ID is a grant made to this hub (a binding answer for a request that did not name the session).
   */
  resolve(hubId: string, hubSessionId: string, presented: string | undefined, ownGrant: (bindingId: string) => boolean): SessionKey {
    const f = this.find(hubId, hubSessionId);
    const bindingId = f.bindingId ?? (presented !== undefined && ownGrant(presented) ? presented : mintBindingId("fbk"));
    if (presented !== undefined && presented !== bindingId) {
      throw new ApiError("binding-not-yours", `binding ID ${presented} was not opened by hub ${hubId} for session ${hubSessionId}`, "bindingId", undefined, 403);
    }
    return { sessionId: f.sessionId, bindingId };
  }

  /** Binding validation named the session: it is opened under the grant's ID (the first grant wins). */
  open(hubId: string, hubSessionId: string, premisesId: string, bindingId: string, now: UtcSeconds): void {
    const f = this.find(hubId, hubSessionId);
    if (f.bindingId !== null) return;
    this.insert.run(hubId, hubSessionId, f.sessionId, premisesId, bindingId, now);
  }
}

/** A stable, not secret, binding ID for sessions stored before issue 13 (they were never issued one). */
const legacyBindingId = (sessionId: string): string =>
  `fbk_${new Bun.CryptoHasher("sha256").update(`legacy\n${sessionId}`).digest("base64url").slice(0, 22)}`;
