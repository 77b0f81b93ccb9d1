// Operator review of sessions held for review (FR-15 load correlation, interval quality): "release" settles the held
// revision through intake's own path (SessionIntake.releaseHeld), "reject" posts nothing. Either way the decision,
// who made it, when and why is recorded, one decision per held revision; a later revision from the hub is taken by
// intake as usual (reversal of whatever stands, then the new snapshot).
import type { Database } from "bun:sqlite";
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
  constructor(private readonly db: Database, private readonly clock: Clock, private readonly intake: SessionIntake) {}

  /**
   * Decides a held session. 404: unknown session; 409: its latest revision is not held (already decided, posted, or
   * superseded by a revision that was not held), or it cannot be released because nobody can be billed for it.
   */
  review(sessionId: string, decision: ReviewDecision, note: string, reviewedBy: string): { session: SessionRow; review: SessionReviewRecord } {
    return this.db.transaction(() => {
      const held = this.intake.session(sessionId);
      if (!held) throw notFound("session", sessionId, "id");
      if (held.status !== "held") throw conflict(`session ${sessionId} revision ${held.revision} is ${held.status}, not held for review`, "id");
      const now = this.clock.now();
      const session = decision === "release" ? this.intake.releaseHeld(sessionId) : this.reject(sessionId, held.revision);
      this.db.query(`INSERT INTO session_reviews (session_id, revision, decision, note, reviewed_by, reviewed_at, held_reason)
        VALUES (?, ?, ?, ?, ?, ?, ?)`).run(sessionId, held.revision, decision, note, reviewedBy, now, held.reviewReason);
      return { session, review: { sessionId, revision: held.revision, decision, note, reviewedBy, reviewedAt: now, heldReason: held.reviewReason } };
    })();
  }

  /** Every review of the session, oldest first (a session can be held again by a later revision). */
  reviewsOf(sessionId: string): SessionReviewRecord[] {
    const rows = this.db.query("SELECT * FROM session_reviews WHERE session_id = ? ORDER BY id").all(sessionId) as ReviewDbRow[];
    return rows.map((r) => ({
      sessionId: r.session_id, revision: r.revision, decision: r.decision, note: r.note, reviewedBy: r.reviewed_by,
      reviewedAt: r.reviewed_at as UtcSeconds, heldReason: r.held_reason,
    }));
  }

  private reject(sessionId: string, revision: number): SessionRow {
    this.db.query("UPDATE sessions SET status = 'rejected' WHERE session_id = ? AND revision = ?").run(sessionId, revision);
    return this.intake.session(sessionId)!;
  }
}
