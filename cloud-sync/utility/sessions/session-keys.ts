// Which hub a session belongs to (issue 13). A hub names its sessions itself (`<premises>-<time>-<seq>`), and any
// paired hub can write any name, so the head-end never takes a session by that name alone: (hub, name) maps to the
// head-end's own session ID and to the binding or fallback ID it minted — at binding validation when the request
// named the session (kept in session_keys until the first report), else at the first report (kept on the session's
// rows). The head-end's ID is the hub's name when no other hub holds it, else `<name>@<hub>`: another hub using the
// same name gets a session of its own and can never reach, reverse or pre-empt this one. A report presenting a
// binding ID this hub did not open for this session is refused (403, `binding-not-yours`).
import type { SqlStore } from "../../../core/storage/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { mintBindingId } from "../binding/binding-grants.ts";
import { ApiError } from "../errors.ts";

export interface SessionKey { sessionId: string; bindingId: string }

export class SessionKeys {
  constructor(private readonly db: SqlStore) {}

  /**
   * Who holds the head-end ID `id` (a reported session, else one opened at validation), or null. Looked up at the
   * hub's premises first (one shard: every later report of a session ends here); only a name this premises never saw
   * is looked for at every premises, since session IDs are unique across the head-end.
   */
  private async holder(id: string, premisesId: string): Promise<{ hub_id: string; binding_id: string | null } | null> {
    type Holder = { hub_id: string; binding_id: string | null };
    // `revision > 0` (always true) steers SQLite, which has no statistics, to the (session_id, revision) key instead of
    // walking every session of the premises through (premises_id, started_at).
    const here = (await this.db.get<Holder>("SELECT hub_id, binding_id FROM sessions WHERE premises_id = ? AND session_id = ? AND revision > 0 LIMIT 1", premisesId, id))
      ?? await this.db.get<Holder>("SELECT hub_id, binding_id FROM session_keys WHERE premises_id = ? AND session_id = ?", premisesId, id);
    if (here) return here;
    return (await this.db.get<Holder>("SELECT hub_id, binding_id FROM sessions WHERE session_id = ? LIMIT 1 -- multi-shard: a new session name, unique head-end wide", id))
      ?? this.db.get<Holder>("SELECT hub_id, binding_id FROM session_keys WHERE session_id = ? -- multi-shard: a new session name, unique head-end wide", id);
  }

  /** The key (hub, name) has or would get; `bindingId` null when nobody opened it yet. */
  private async find(hubId: string, hubSessionId: string, premisesId: string): Promise<{ sessionId: string; bindingId: string | null }> {
    const k = await this.db.get<{ session_id: string; binding_id: string }>("SELECT session_id, binding_id FROM session_keys WHERE premises_id = ? AND hub_id = ? AND hub_session_id = ?",
      premisesId, hubId, hubSessionId);
    if (k) return { sessionId: k.session_id, bindingId: k.binding_id };
    const plain = await this.holder(hubSessionId, premisesId);
    if (!plain) return { sessionId: hubSessionId, bindingId: null };
    // Sessions stored before binding IDs existed have none: the ID is derived from the session ID, stable per session.
    if (plain.hub_id === hubId) return { sessionId: hubSessionId, bindingId: plain.binding_id ?? legacyBindingId(hubSessionId) };
    const own = `${hubSessionId}@${hubId}`;
    const mine = await this.holder(own, premisesId);
    return { sessionId: own, bindingId: mine ? mine.binding_id ?? legacyBindingId(own) : null };
  }

  /**
   * The session a report from `hubId` is about, minting a fallback ID on the first report. `presented` is the binding
   * ID the report carries; one this hub did not open for this session is a 403. `ownGrant` says whether a presented
   * ID is a grant made to this hub (a binding answer for a request that did not name the session).
   */
  async resolve(hubId: string, hubSessionId: string, premisesId: string, presented: string | undefined, ownGrant: (bindingId: string) => Promise<boolean>): Promise<SessionKey> {
    const f = await this.find(hubId, hubSessionId, premisesId);
    const bindingId = f.bindingId ?? (presented !== undefined && await ownGrant(presented) ? presented : mintBindingId("fbk"));
    if (presented !== undefined && presented !== bindingId) {
      throw new ApiError("binding-not-yours", `binding ID ${presented} was not opened by hub ${hubId} for session ${hubSessionId}`, "bindingId", undefined, 403);
    }
    return { sessionId: f.sessionId, bindingId };
  }

  /** Binding validation named the session: it is opened under the grant's ID (the first grant wins). */
  async open(hubId: string, hubSessionId: string, premisesId: string, bindingId: string, now: UtcSeconds): Promise<void> {
    const f = await this.find(hubId, hubSessionId, premisesId);
    if (f.bindingId !== null) return;
    await this.db.run("INSERT INTO session_keys (hub_id, hub_session_id, session_id, premises_id, binding_id, opened_at) VALUES (?, ?, ?, ?, ?, ?)", hubId, hubSessionId, f.sessionId, premisesId, bindingId, now);
  }
}

/** A stable, not secret, binding ID for sessions stored before issue 13 (they were never issued one). */
const legacyBindingId = (sessionId: string): string =>
  `fbk_${new Bun.CryptoHasher("sha256").update(`legacy\n${sessionId}`).digest("base64url").slice(0, 22)}`;
