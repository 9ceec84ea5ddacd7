import type { Disagreement, QueueStatus, ReviewProgress, SubmitLabel } from '../contracts/review.ts';
import { LabelerSchema, SubmitLabelSchema } from '../contracts/review.ts';
import type { PairViewQuery } from '../contracts/view.ts';
import { PairViewQuerySchema } from '../contracts/view.ts';
import { InputError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import { pairWhere } from '../store/pair-view.ts';
import { getSettings } from '../store/settings.ts';

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * The labeling queue. A pair is served to a labeler when it still needs labels (fewer submitted,
 * non-skip labels than the overlap setting), this labeler has not labelled or skipped it, and no
 * other labeler holds an unexpired lease on it. Serving takes a lease, in one transaction, so two
 * labelers asking at the same moment get different pairs.
 *
 * Every read-then-write transaction here starts IMMEDIATE: a deferred one reads a snapshot first, and
 * if another connection (an import) commits before it writes, SQLite fails it at once with "database
 * is locked" instead of letting the busy timeout wait.
 */
export function nextPair(db: Db, labelerInput: string, filters: PairViewQuery = {}): number | null {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  const f = PairViewQuerySchema.parse(filters);
  const { sql, params } = pairWhere(db, f);
  const extra = sql ? `${sql.replace(/^WHERE /, '')} AND` : '';
  const pick = db.prepare(`SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id
    WHERE ${extra}
      (SELECT count(DISTINCT l.labeler) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision <> 'skip') < ?
      AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.pair_id = p.id AND l.labeler = ? AND l.status IN ('submitted', 'draft'))
      AND NOT EXISTS (SELECT 1 FROM review_leases r WHERE r.pair_id = p.id AND r.labeler <> ? AND r.expires_at > ${NOW})
    ORDER BY (SELECT count(*) FROM review_leases r WHERE r.pair_id = p.id AND r.labeler = ?) DESC, p.id
    LIMIT 1`);
  return db
    .transaction(() => {
      // One lease per labeler: opening a new pair releases the one held before.
      const row = pick.get(...params, settings.labelOverlap, labeler, labeler, labeler) as { id: number } | undefined;
      db.prepare('DELETE FROM review_leases WHERE labeler = ?').run(labeler);
      if (!row) return null;
      db.prepare(
        `INSERT INTO review_leases (pair_id, labeler, expires_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))
       ON CONFLICT(pair_id) DO UPDATE SET labeler = excluded.labeler, expires_at = excluded.expires_at`,
      ).run(row.id, labeler, `+${settings.leaseMinutes} minutes`);
      return row.id;
    })
    .immediate();
}

/** Takes the lease on a pair the labeler chose (from the table, or j/k through a page). */
export function claimPair(db: Db, pairId: number, labelerInput: string): { ok: boolean; heldBy?: string } {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  return db
    .transaction(() => {
      const held = db
        .prepare(`SELECT labeler FROM review_leases WHERE pair_id = ? AND labeler <> ? AND expires_at > ${NOW}`)
        .pluck()
        .get(pairId, labeler) as string | undefined;
      if (held) return { ok: false, heldBy: held };
      db.prepare('DELETE FROM review_leases WHERE labeler = ?').run(labeler);
      db.prepare(
        `INSERT INTO review_leases (pair_id, labeler, expires_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))
       ON CONFLICT(pair_id) DO UPDATE SET labeler = excluded.labeler, expires_at = excluded.expires_at`,
      ).run(pairId, labeler, `+${settings.leaseMinutes} minutes`);
      return { ok: true };
    })
    .immediate();
}

/**
 * Records a decision. A labeler has one current label per pair: a new submission replaces their
 * draft or earlier label (kept as discarded, so history is never lost), and releases the lease.
 */
export function submitLabel(db: Db, input: SubmitLabel): { labelId: number } {
  const parsed = SubmitLabelSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid label', { field: issue?.path.join('.') });
  }
  const l = parsed.data;
  const exists = db.prepare('SELECT 1 FROM pairs WHERE id = ?').get(l.pairId);
  if (!exists) throw new InputError(`no pair with id ${l.pairId}`, { field: 'pairId' });
  return db
    .transaction(() => {
      db.prepare(
        `UPDATE labels SET status = 'discarded', updated_at = ${NOW} WHERE pair_id = ? AND labeler = ? AND status IN ('draft', 'submitted')`,
      ).run(l.pairId, l.labeler);
      const labelId = db
        .prepare(
          `INSERT INTO labels (pair_id, labeler, decision, edited_text, comment, status) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .pluck()
        .get(
          l.pairId,
          l.labeler,
          l.decision,
          l.decision === 'edit' ? (l.editedText ?? null) : null,
          l.comment?.trim() ? l.comment.trim() : null,
          l.status,
        ) as number;
      if (l.status === 'submitted')
        db.prepare('DELETE FROM review_leases WHERE pair_id = ? AND labeler = ?').run(l.pairId, l.labeler);
      return { labelId };
    })
    .immediate();
}

/**
 * Takes back the labeler's latest label: it becomes discarded, the label it replaced (if any)
 * comes back, and the pair is leased to them again so it is what they see next.
 */
export function undoLast(db: Db, labelerInput: string): { pairId: number } | null {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  return db
    .transaction(() => {
      const last = db
        .prepare(
          `SELECT id, pair_id FROM labels WHERE labeler = ? AND status IN ('submitted', 'draft') ORDER BY id DESC LIMIT 1`,
        )
        .get(labeler) as { id: number; pair_id: number } | undefined;
      if (!last) return null;
      db.prepare(`UPDATE labels SET status = 'discarded', updated_at = ${NOW} WHERE id = ?`).run(last.id);
      db.prepare('DELETE FROM review_leases WHERE labeler = ?').run(labeler);
      db.prepare(
        `INSERT INTO review_leases (pair_id, labeler, expires_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))
       ON CONFLICT(pair_id) DO UPDATE SET labeler = excluded.labeler, expires_at = excluded.expires_at`,
      ).run(last.pair_id, labeler, `+${settings.leaseMinutes} minutes`);
      return { pairId: last.pair_id };
    })
    .immediate();
}

export function releaseLease(db: Db, labelerInput: string): void {
  db.prepare('DELETE FROM review_leases WHERE labeler = ?').run(LabelerSchema.parse(labelerInput));
}

/** Pairs in one of the labeler's status queues, newest first. */
export function queueItems(
  db: Db,
  labelerInput: string,
  status: QueueStatus,
  limit = 200,
): { pairId: number; decision: string | null; updatedAt: string | null; title: string | null }[] {
  const labeler = LabelerSchema.parse(labelerInput);
  if (status === 'pending') {
    const settings = getSettings(db);
    return db
      .prepare(
        `SELECT p.id AS pairId, NULL AS decision, NULL AS updatedAt, s.title FROM pairs p JOIN sources s ON s.id = p.source_id
           WHERE (SELECT count(DISTINCT l.labeler) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision <> 'skip') < ?
             AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.pair_id = p.id AND l.labeler = ? AND l.status IN ('submitted', 'draft'))
           ORDER BY p.id LIMIT ?`,
      )
      .all(settings.labelOverlap, labeler, limit) as {
      pairId: number;
      decision: null;
      updatedAt: null;
      title: string | null;
    }[];
  }
  return db
    .prepare(
      `SELECT l.pair_id AS pairId, l.decision, l.updated_at AS updatedAt, s.title FROM labels l
       JOIN pairs p ON p.id = l.pair_id JOIN sources s ON s.id = p.source_id
       WHERE l.labeler = ? AND l.status = ? ORDER BY l.id DESC LIMIT ?`,
    )
    .all(labeler, status, limit) as { pairId: number; decision: string; updatedAt: string; title: string | null }[];
}

export function reviewProgress(db: Db, labelerInput: string): ReviewProgress {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  const mine = { approve: 0, reject: 0, edit: 0, skip: 0, draft: 0 };
  for (const r of db
    .prepare(
      `SELECT decision, status, count(*) AS n FROM labels WHERE labeler = ? AND status IN ('submitted', 'draft') GROUP BY decision, status`,
    )
    .all(labeler) as { decision: keyof typeof mine; status: string; n: number }[]) {
    if (r.status === 'draft') mine.draft += r.n;
    else mine[r.decision] += r.n;
  }
  const pairs = db.prepare('SELECT count(*) FROM pairs').pluck().get() as number;
  const done = db
    .prepare(
      `SELECT count(*) FROM (SELECT pair_id FROM labels WHERE status = 'submitted' AND decision <> 'skip'
       GROUP BY pair_id HAVING count(DISTINCT labeler) >= ?)`,
    )
    .pluck()
    .get(settings.labelOverlap) as number;
  const labels = db.prepare(`SELECT count(*) FROM labels WHERE status = 'submitted'`).pluck().get() as number;
  const labelers = db
    .prepare(`SELECT count(DISTINCT labeler) FROM labels WHERE status = 'submitted'`)
    .pluck()
    .get() as number;
  return { labeler, mine, overall: { pairs, done, pending: pairs - done, labels, labelers } };
}

/** Pairs where labelers' current decisions differ (skips aside). */
export function disagreements(db: Db, limit = 500): Disagreement[] {
  const rows = db
    .prepare(
      `SELECT l.pair_id, s.title, l.labeler, l.decision, l.comment FROM labels l
       JOIN pairs p ON p.id = l.pair_id JOIN sources s ON s.id = p.source_id
       WHERE l.status = 'submitted' AND l.decision <> 'skip' AND l.pair_id IN (
         SELECT pair_id FROM labels WHERE status = 'submitted' AND decision <> 'skip'
         GROUP BY pair_id HAVING count(DISTINCT decision) > 1 LIMIT ?)
       ORDER BY l.pair_id, l.labeler`,
    )
    .all(limit) as {
    pair_id: number;
    title: string | null;
    labeler: string;
    decision: string;
    comment: string | null;
  }[];
  const byPair = new Map<number, Disagreement>();
  for (const r of rows) {
    const d = byPair.get(r.pair_id) ?? { pairId: r.pair_id, title: r.title, decisions: [] };
    d.decisions.push({ labeler: r.labeler, decision: r.decision, comment: r.comment });
    byPair.set(r.pair_id, d);
  }
  return [...byPair.values()];
}
