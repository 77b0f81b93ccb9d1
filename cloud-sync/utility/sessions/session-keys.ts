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

export interface SessionKey {
  sessionId: string; bindingId: string;
  /** The session's highest stored revision at the premises (null: none yet), and whether `revision` is stored. */
  maxRevision: number | null; hasRevision: boolean;
}

type Holder = { hub_id: string; binding_id: string | null };
/** A row of the premises-shard lookup: the (hub, name) key, a stored session, or a session opened at validation. */
interface HereRow { src: "key" | "session" | "opened"; id: string; hub_id: string; binding_id: string | null; max_rev: number | null; has_rev: number }

export class SessionKeys {
  private readonly here: string;
  private readonly anywhere: string;

  constructor(private readonly db: SqlStore) {
    // Everything the premises' shard knows about a report's session in one statement (issue 15: intake's round
    // trips): the key (hub, name), and for the name and `name@hub` the stored sessions (with their highest revision
    // and whether the report's revision is among them) and sessions opened at validation. `revision > 0` (always true)
    // steers SQLite, which has no statistics, to the (session_id, revision) key instead of walking every session of
    // the premises through (premises_id, started_at).
    this.here = `SELECT 'key' AS src, session_id AS id, hub_id, binding_id, NULL AS max_rev, 0 AS has_rev FROM session_keys
        WHERE premises_id = ?1 AND hub_id = ?2 AND hub_session_id = ?3
      UNION ALL SELECT 'session', session_id, MIN(hub_id), MIN(binding_id), MAX(revision), MAX(CASE WHEN revision = ?5 THEN 1 ELSE 0 END) FROM sessions
        WHERE premises_id = ?1 AND session_id IN (?3, ?4) AND revision > 0 GROUP BY session_id
      UNION ALL SELECT 'opened', session_id, hub_id, binding_id, NULL, 0 FROM session_keys WHERE premises_id = ?1 AND session_id IN (?3, ?4)`;
    // Only a name the premises never saw is looked for at every premises: session IDs are unique head-end wide.
    this.anywhere = `SELECT 'session' AS src, session_id AS id, MIN(hub_id) AS hub_id, MIN(binding_id) AS binding_id FROM sessions WHERE session_id IN (?1, ?2) GROUP BY session_id
      UNION ALL SELECT 'opened', session_id, hub_id, binding_id FROM session_keys WHERE session_id IN (?1, ?2) -- multi-shard: a new session name, unique head-end wide`;
  }

  /** The key (hub, name) has or would get; `bindingId` null when nobody opened it yet. */
  private async find(hubId: string, hubSessionId: string, premisesId: string, revision: number): Promise<Omit<SessionKey, "bindingId"> & { bindingId: string | null }> {
    const own = `${hubSessionId}@${hubId}`;
    const rows = await this.db.all<HereRow>(this.here, premisesId, hubId, hubSessionId, own, revision);
    const stored = (id: string) => {
      const s = rows.find((r) => r.src === "session" && r.id === id);
      return { maxRevision: s?.max_rev ?? null, hasRevision: s?.has_rev === 1 };
    };
    const key = rows.find((r) => r.src === "key");
    if (key && (key.id === hubSessionId || key.id === own)) return { sessionId: key.id, bindingId: key.binding_id, ...stored(key.id) };
    if (key) {
      // A key naming neither form (not written by this code): its revisions are read on their own.
      const s = await this.db.get<{ m: number | null; h: number | null }>(`SELECT MAX(revision) AS m, MAX(CASE WHEN revision = ? THEN 1 ELSE 0 END) AS h FROM sessions
        WHERE premises_id = ? AND session_id = ?`, revision, premisesId, key.id);
      return { sessionId: key.id, bindingId: key.binding_id, maxRevision: s?.m ?? null, hasRevision: s?.h === 1 };
    }
    // Who holds the head-end ID `id`: a reported session, else one opened at validation; at this premises first.
    let elsewhere: HereRow[] | null = null;
    const holder = async (id: string): Promise<Holder | null> => {
      const at = (list: readonly Pick<HereRow, "src" | "id" | "hub_id" | "binding_id">[]) =>
        list.find((r) => r.src === "session" && r.id === id) ?? list.find((r) => r.src === "opened" && r.id === id) ?? null;
      const here = at(rows);
      if (here) return here;
      elsewhere ??= await this.db.all<HereRow>(this.anywhere, hubSessionId, own);
      return at(elsewhere);
    };
    const plain = await holder(hubSessionId);
    if (!plain) return { sessionId: hubSessionId, bindingId: null, ...stored(hubSessionId) };
    // Sessions stored before binding IDs existed have none: the ID is derived from the session ID, stable per session.
    if (plain.hub_id === hubId) return { sessionId: hubSessionId, bindingId: plain.binding_id ?? legacyBindingId(hubSessionId), ...stored(hubSessionId) };
    const mine = await holder(own);
    return { sessionId: own, bindingId: mine ? mine.binding_id ?? legacyBindingId(own) : null, ...stored(own) };
  }

  /**
   * The session a report (`revision`) from `hubId` is about, minting a fallback ID on the first report. `presented`
   * is the binding ID the report carries; one this hub did not open for this session is a 403. `ownGrant` says
   * whether a presented ID is a grant made to this hub (a binding answer for a request that did not name the session).
   */
  async resolve(hubId: string, hubSessionId: string, premisesId: string, revision: number, presented: string | undefined,
    ownGrant: (bindingId: string) => Promise<boolean>): Promise<SessionKey> {
    const f = await this.find(hubId, hubSessionId, premisesId, revision);
    const bindingId = f.bindingId ?? (presented !== undefined && await ownGrant(presented) ? presented : mintBindingId("fbk"));
    if (presented !== undefined && presented !== bindingId) {
      throw new ApiError("binding-not-yours", `binding ID ${presented} was not opened by hub ${hubId} for session ${hubSessionId}`, "bindingId", undefined, 403);
    }
    return { ...f, bindingId };
  }

  /** Binding validation named the session: it is opened under the grant's ID (the first grant wins). */
  async open(hubId: string, hubSessionId: string, premisesId: string, bindingId: string, now: UtcSeconds): Promise<void> {
    const f = await this.find(hubId, hubSessionId, premisesId, 0);
    if (f.bindingId !== null) return;
    await this.db.run("INSERT INTO session_keys (hub_id, hub_session_id, session_id, premises_id, binding_id, opened_at) VALUES (?, ?, ?, ?, ?, ?)", hubId, hubSessionId, f.sessionId, premisesId, bindingId, now);
  }
}

/** A stable, not secret, binding ID for sessions stored before issue 13 (they were never issued one). */
const legacyBindingId = (sessionId: string): string =>
  `fbk_${new Bun.CryptoHasher("sha256").update(`legacy\n${sessionId}`).digest("base64url").slice(0, 22)}`;
