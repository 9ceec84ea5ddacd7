import type {
  Disagreement,
  QueueOrder,
  QueueStatus,
  ReviewProgress,
  ReviewSubmitMany,
  SubmitLabel,
} from '../contracts/review.ts';
import { LabelerSchema, ReviewSubmitManySchema, SubmitLabelSchema } from '../contracts/review.ts';
import type { PairViewQuery } from '../contracts/view.ts';
import { PairViewQuerySchema } from '../contracts/view.ts';
import { ConflictError, InputError, NotFoundError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import { pairWhere } from '../store/pair-view.ts';
import { getSettings } from '../store/settings.ts';

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export interface QueueOptions {
  /** The order to serve in; the project's setting when absent. */
  order?: QueueOrder;
  /** A model passes a pair at this share of equivalent probes (configs/validation.yaml). */
  threshold?: number;
}

/**
 * Per pair: its worst model's share of equivalent probes, and whether models fall on both sides of
 * the pass line. Judge errors count for neither side.
 */
function verdictStats(threshold: number): string {
  const t = Number.isFinite(threshold) ? Math.min(Math.max(threshold, 0), 1).toFixed(6) : '0.95';
  return `LEFT JOIN (SELECT pair_id, min(eq) AS worst, count(DISTINCT eq >= ${t}) AS sides FROM (
      SELECT pair_id, model, avg(outcome = 'equivalent') AS eq FROM verdicts
      WHERE probe_id IS NOT NULL AND outcome <> 'judge-error' GROUP BY pair_id, model) GROUP BY pair_id) vs ON vs.pair_id = p.id`;
}

/** SQL for the orders; each ends on p.id so equal keys keep a stable order. */
function orderBy(order: QueueOrder, threshold: number): string {
  const t = Number.isFinite(threshold) ? Math.min(Math.max(threshold, 0), 1).toFixed(6) : '0.95';
  const ratio = 'p.tokens_compressed * 1.0 / nullif(p.tokens_original, 0)';
  const failing = `coalesce(vs.worst < ${t}, 0)`;
  const disputed = `(coalesce(vs.sides, 0) > 1 OR (SELECT count(DISTINCT l.decision) FROM labels l
    WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision <> 'skip') > 1)`;
  switch (order) {
    case 'id':
      return 'p.id';
    case 'compressed':
      return `(${ratio}) IS NULL, ${ratio}, p.id`;
    case 'failing':
      // Failing pairs worst first, then passing ones, then the unvalidated.
      return 'coalesce(vs.worst, 2), p.id';
    case 'disputed':
      return `${disputed} DESC, p.id`;
    case 'informative':
      return `(${failing} OR ${disputed}) DESC, (${ratio}) IS NULL, ${ratio}, p.id`;
  }
}

/**
 * Pairs a labeler may be served, in queue order: they still need labels (fewer submitted,
 * non-skip labels than the overlap setting), this labeler has not labelled or skipped them, and no
 * other labeler holds an unexpired lease on them. A pair the labeler already holds comes first.
 */
function candidatesSql(
  db: Db,
  labeler: string,
  filters: PairViewQuery,
  options: QueueOptions,
): { sql: string; params: unknown[] } {
  const settings = getSettings(db);
  const f = PairViewQuerySchema.parse(filters);
  const { sql, params } = pairWhere(db, f);
  const extra = sql ? `${sql.replace(/^WHERE /, '')} AND` : '';
  const threshold = options.threshold ?? 0.95;
  const order = options.order ?? settings.queueOrder;
  return {
    sql: `SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id ${verdictStats(threshold)}
    WHERE ${extra}
      (SELECT count(DISTINCT l.labeler) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision <> 'skip') < ?
      AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.pair_id = p.id AND l.labeler = ? AND l.status IN ('submitted', 'draft'))
      AND NOT EXISTS (SELECT 1 FROM review_leases r WHERE r.pair_id = p.id AND r.labeler <> ? AND r.expires_at > ${NOW})
    ORDER BY (SELECT count(*) FROM review_leases r WHERE r.pair_id = p.id AND r.labeler = ?) DESC, ${orderBy(order, threshold)}`,
    params: [...params, settings.labelOverlap, labeler, labeler, labeler],
  };
}

/**
 * The labeling queue: the first candidate (see candidatesSql) of the view, in the queue's order.
 * Serving takes a lease, in one transaction, so two labelers asking at the same moment get
 * different pairs.
 *
 * Every read-then-write transaction here starts IMMEDIATE: a deferred one reads a snapshot first, and
 * if another connection (an import) commits before it writes, SQLite fails it at once with "database
 * is locked" instead of letting the busy timeout wait.
 */
export function nextPair(
  db: Db,
  labelerInput: string,
  filters: PairViewQuery = {},
  options: QueueOptions = {},
): number | null {
  const labeler = LabelerSchema.parse(labelerInput);
  const settings = getSettings(db);
  const { sql, params } = candidatesSql(db, labeler, filters, options);
  const pick = db.prepare(`${sql} LIMIT 1`);
  return db
    .transaction(() => {
      // One lease per labeler: opening a new pair releases the one held before.
      const row = pick.get(...params) as { id: number } | undefined;
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

/** A page of the queue without taking leases (Bulk shows many pairs at once). */
export function queuePage(
  db: Db,
  labelerInput: string,
  filters: PairViewQuery = {},
  options: QueueOptions & { limit?: number; offset?: number } = {},
): { ids: number[]; total: number } {
  const labeler = LabelerSchema.parse(labelerInput);
  const { sql, params } = candidatesSql(db, labeler, filters, options);
  const ids = db
    .prepare(`${sql} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...params, options.limit ?? 20, options.offset ?? 0) as number[];
  const total = db
    .prepare(`SELECT count(*) FROM (${sql})`)
    .pluck()
    .get(...params) as number;
  return { ids, total };
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

/** The texts a pair has now: its compression's sha256 and its source's hash. */
function currentHashes(db: Db, pairId: number): { compressed: string; original: string } | undefined {
  return db
    .prepare(
      'SELECT p.compressed_hash AS compressed, s.hash AS original FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?',
    )
    .get(pairId) as { compressed: string; original: string } | undefined;
}

/** Refuses a label naming texts the pair no longer has: the labeler decided on something else. */
function checkSeen(
  pairId: number,
  now: { compressed: string; original: string },
  seen: { compressedHash?: string | undefined; originalHash?: string | undefined },
): void {
  const short = (h: string) => h.slice(0, 12);
  if (seen.compressedHash !== undefined && seen.compressedHash !== now.compressed) {
    throw new ConflictError(
      `pair ${pairId}: the compressed text you decided on (sha256 ${short(seen.compressedHash)}…) is not this pair's text (${short(now.compressed)}…); nothing was saved, reload the pair and decide on what it says`,
      { field: 'compressedHash' },
    );
  }
  if (seen.originalHash !== undefined && seen.originalHash !== now.original) {
    throw new ConflictError(
      `pair ${pairId}: the original you read (hash ${short(seen.originalHash)}…) is not this pair's source (${short(now.original)}…); nothing was saved, reload the pair and decide on what it says`,
      { field: 'originalHash' },
    );
  }
}

function insertLabel(
  db: Db,
  l: {
    pairId: number;
    labeler: string;
    decision: string;
    editedText?: string | undefined;
    comment?: string | undefined;
    status: 'draft' | 'submitted';
  },
  seen: { compressed: string; original: string },
): number {
  db.prepare(
    `UPDATE labels SET status = 'discarded', updated_at = ${NOW} WHERE pair_id = ? AND labeler = ? AND status IN ('draft', 'submitted')`,
  ).run(l.pairId, l.labeler);
  const labelId = db
    .prepare(
      `INSERT INTO labels (pair_id, labeler, decision, edited_text, comment, status, seen_compressed_hash, seen_original_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      l.pairId,
      l.labeler,
      l.decision,
      l.decision === 'edit' ? (l.editedText ?? null) : null,
      l.comment?.trim() ? l.comment.trim() : null,
      l.status,
      seen.compressed,
      seen.original,
    ) as number;
  if (l.status === 'submitted')
    db.prepare('DELETE FROM review_leases WHERE pair_id = ? AND labeler = ?').run(l.pairId, l.labeler);
  return labelId;
}

/**
 * Records a decision. A labeler has one current label per pair: a new submission replaces their
 * draft or earlier label (kept as discarded, so history is never lost), and releases the lease.
 * A label naming the texts the labeler saw is refused (ConflictError) when the pair's texts differ;
 * the check and the write are one transaction, so nothing can change in between.
 */
export function submitLabel(db: Db, input: SubmitLabel): { labelId: number } {
  const parsed = SubmitLabelSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid label', { field: issue?.path.join('.') });
  }
  const l = parsed.data;
  return db
    .transaction(() => {
      const now = currentHashes(db, l.pairId);
      if (!now) throw new NotFoundError(`no pair with id ${l.pairId}`, { field: 'pairId' });
      checkSeen(l.pairId, now, l);
      return { labelId: insertLabel(db, l, now) };
    })
    .immediate();
}

/**
 * A decision and the queue's next pair in one IMMEDIATE transaction: under a concurrent writer (an
 * import) the labeler waits for the write lock once per key, not twice.
 */
export function submitAndNext(
  db: Db,
  input: SubmitLabel,
  filters: PairViewQuery = {},
  options: QueueOptions = {},
): { labelId: number; next: number | null } {
  return db
    .transaction(() => {
      const { labelId } = submitLabel(db, input);
      return { labelId, next: nextPair(db, String(input.labeler), filters, options) };
    })
    .immediate();
}

/**
 * One decision for several pairs (Bulk): all saved, or none when any pair's texts are not the
 * ones the labeler saw (the error names the pair).
 */
export function submitLabels(db: Db, input: ReviewSubmitMany): { labelIds: number[] } {
  const parsed = ReviewSubmitManySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? 'invalid labels', { field: issue?.path.join('.') });
  }
  const { labeler, decision, comment, items } = parsed.data;
  return db
    .transaction(() => {
      const labelIds: number[] = [];
      for (const item of items) {
        const now = currentHashes(db, item.pairId);
        if (!now) throw new NotFoundError(`no pair with id ${item.pairId}`, { field: 'pairId' });
        checkSeen(item.pairId, now, item);
        labelIds.push(insertLabel(db, { pairId: item.pairId, labeler, decision, comment, status: 'submitted' }, now));
      }
      return { labelIds };
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

/**
 * Pairs in one of the labeler's status queues: pending in the order the queue serves them (the
 * project's queue order), the others newest first.
 */
export function queueItems(
  db: Db,
  labelerInput: string,
  status: QueueStatus,
  limit = 200,
  options: QueueOptions = {},
): { pairId: number; decision: string | null; updatedAt: string | null; title: string | null }[] {
  const labeler = LabelerSchema.parse(labelerInput);
  if (status === 'pending') {
    const { ids } = queuePage(db, labeler, {}, { ...options, limit });
    const title = db.prepare('SELECT s.title FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?').pluck();
    return ids.map((pairId) => ({
      pairId,
      decision: null,
      updatedAt: null,
      title: (title.get(pairId) as string | null | undefined) ?? null,
    }));
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
