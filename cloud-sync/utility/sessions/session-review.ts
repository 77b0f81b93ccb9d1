// Operator review of sessions held for review (FR-15 load correlation, interval quality): "release" settles the held
// revision through intake's own path (SessionIntake.releaseHeld), "reject" posts nothing. Either way the decision,
// who made it, when and why is recorded, one decision per held revision; a later revision from the hub is taken by
// intake as usual (reversal of whatever stands, then the new snapshot).
import type { SqlStore } from "../../../core/storage/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { conflict, notFound } from "../errors.ts";
import type { SessionIntake, SessionRow } from "./session-intake.ts";

export type ReviewDecision = "release" | "reject";

export interface SessionReviewRecord {
  sessionId: string; revision: number; decision: ReviewDecision; note: string; reviewedBy: string; reviewedAt: UtcSeconds;
  /** Why the revision had been held. */
  heldReason: string | null;
}

interface ReviewDbRow {
  session_id: string; revision: number; decision: ReviewDecision; note: string; reviewed_by: string; reviewed_at: number; held_reason: string | null;
}

export class SessionReviews {
  constructor(private readonly db: SqlStore, private readonly clock: Clock, private readonly intake: SessionIntake) {}

  /**
   * Decides a held session. 404: unknown session; 409: its latest revision is not held (already decided, posted, or
   * superseded by a revision that was not held), or it cannot be released because nobody can be billed for it.
   */
  async review(sessionId: string, decision: ReviewDecision, note: string, reviewedBy: string): Promise<{ session: SessionRow; review: SessionReviewRecord }> {
    return await this.db.transaction(async () => {
      const held = await this.intake.session(sessionId);
      if (!held) throw notFound("session", sessionId, "id");
      if (held.status !== "held") throw conflict(`session ${sessionId} revision ${held.revision} is ${held.status}, not held for review`, "id");
      const now = this.clock.now();
      const session = decision === "release" ? await this.intake.releaseHeld(sessionId) : await this.reject(held.premisesId, sessionId, held.revision);
      await this.db.run(`INSERT INTO session_reviews (premises_id, session_id, revision, decision, note, reviewed_by, reviewed_at, held_reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, held.premisesId, sessionId, held.revision, decision, note, reviewedBy, now, held.reviewReason);
      return { session, review: { sessionId, revision: held.revision, decision, note, reviewedBy, reviewedAt: now, heldReason: held.reviewReason } };
    });
  }

  /** Every review of the session, oldest first (a session can be held again by a later revision). */
  async reviewsOf(premisesId: string, sessionId: string): Promise<SessionReviewRecord[]> {
    const rows = await this.db.all<ReviewDbRow>("SELECT * FROM session_reviews WHERE premises_id = ? AND session_id = ? ORDER BY id", premisesId, sessionId);
    return rows.map((r) => ({
      sessionId: r.session_id, revision: r.revision, decision: r.decision, note: r.note, reviewedBy: r.reviewed_by,
      reviewedAt: r.reviewed_at as UtcSeconds, heldReason: r.held_reason,
    }));
  }

  private async reject(premisesId: string, sessionId: string, revision: number): Promise<SessionRow> {
    await this.db.run("UPDATE sessions SET status = 'rejected' WHERE premises_id = ? AND session_id = ? AND revision = ?", premisesId, sessionId, revision);
    return (await this.intake.session(sessionId))!;
  }
}
