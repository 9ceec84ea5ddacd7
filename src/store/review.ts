import type { Disagreement, QueueOrder } from '../contracts/review.ts';
import type { PairViewFilters } from '../contracts/view.ts';
import type { Db } from './db.ts';
import { pairWhere } from './pair-view.ts';

/**
 * The review queue's storage: which pairs a labeler may be served and in what order, the leases
 * that keep two labelers off one pair, and label rows. The rules around them (argument checks, the
 * "texts you saw" check, which writes share a transaction) are in src/review/queue.ts.
 */

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

function clampThreshold(threshold: number): string {
  return Number.isFinite(threshold) ? Math.min(Math.max(threshold, 0), 1).toFixed(6) : '0.95';
}

/**
 * Per pair: its worst model's share of equivalent probes, and whether models fall on both sides of
 * the pass line. Judge errors count for neither side.
 */
function verdictStats(threshold: number): string {
  const t = clampThreshold(threshold);
  return `LEFT JOIN (SELECT pair_id, min(eq) AS worst, count(DISTINCT eq >= ${t}) AS sides FROM (
      SELECT pair_id, model, avg(outcome = 'equivalent') AS eq FROM verdicts
      WHERE probe_id IS NOT NULL AND outcome <> 'judge-error' GROUP BY pair_id, model) GROUP BY pair_id) vs ON vs.pair_id = p.id`;
}

/** SQL for the orders; each ends on p.id so equal keys keep a stable order. */
function orderBy(order: QueueOrder, threshold: number): string {
  const t = clampThreshold(threshold);
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

export interface CandidateQuery {
  labeler: string;
  /** The view's filters, already parsed. */
  filters: Omit<PairViewFilters, 'sort' | 'desc'>;
  order: QueueOrder;
  threshold: number;
  /** Pairs stop being served once this many labelers made a non-skip decision. */
  labelOverlap: number;
}

/**
 * Pairs a labeler may be served, in queue order: they still need labels (fewer submitted,
 * non-skip labels than the overlap setting), this labeler has not labelled or skipped them, and no
 * other labeler holds an unexpired lease on them. A pair the labeler already holds comes first.
 */
function candidatesSql(db: Db, q: CandidateQuery): { sql: string; params: unknown[] } {
  const { sql, params } = pairWhere(db, q.filters);
  const extra = sql ? `${sql.replace(/^WHERE /, '')} AND` : '';
  return {
    sql: `SELECT p.id FROM pairs p JOIN sources s ON s.id = p.source_id ${verdictStats(q.threshold)}
    WHERE ${extra}
      (SELECT count(DISTINCT l.labeler) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted' AND l.decision <> 'skip') < ?
      AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.pair_id = p.id AND l.labeler = ? AND l.status IN ('submitted', 'draft'))
      AND NOT EXISTS (SELECT 1 FROM review_leases r WHERE r.pair_id = p.id AND r.labeler <> ? AND r.expires_at > ${NOW})
    ORDER BY (SELECT count(*) FROM review_leases r WHERE r.pair_id = p.id AND r.labeler = ?) DESC, ${orderBy(q.order, q.threshold)}`,
    params: [...params, q.labelOverlap, q.labeler, q.labeler, q.labeler],
  };
}

/** The first pair the labeler may be served, or undefined. */
export function firstCandidate(db: Db, q: CandidateQuery): number | undefined {
  const { sql, params } = candidatesSql(db, q);
  return db
    .prepare(`${sql} LIMIT 1`)
    .pluck()
    .get(...params) as number | undefined;
}

/** A page of candidates and how many there are in all. */
export function candidatePage(
  db: Db,
  q: CandidateQuery,
  limit: number,
  offset: number,
): { ids: number[]; total: number } {
  const { sql, params } = candidatesSql(db, q);
  const ids = db
    .prepare(`${sql} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...params, limit, offset) as number[];
  const total = db
    .prepare(`SELECT count(*) FROM (${sql})`)
    .pluck()
    .get(...params) as number;
  return { ids, total };
}

/** Drops the labeler's lease, whichever pair it is on (a labeler holds one lease at a time). */
export function dropLease(db: Db, labeler: string): void {
  db.prepare('DELETE FROM review_leases WHERE labeler = ?').run(labeler);
}

/** Leases a pair to the labeler for some minutes, taking it from an expired holder. */
export function putLease(db: Db, pairId: number, labeler: string, minutes: number): void {
  db.prepare(
    `INSERT INTO review_leases (pair_id, labeler, expires_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))
     ON CONFLICT(pair_id) DO UPDATE SET labeler = excluded.labeler, expires_at = excluded.expires_at`,
  ).run(pairId, labeler, `+${minutes} minutes`);
}

/** Another labeler holding an unexpired lease on the pair, if any. */
export function otherLeaseHolder(db: Db, pairId: number, labeler: string): string | undefined {
  return db
    .prepare(`SELECT labeler FROM review_leases WHERE pair_id = ? AND labeler <> ? AND expires_at > ${NOW}`)
    .pluck()
    .get(pairId, labeler) as string | undefined;
}

/** The texts a pair has now: its compression's sha256 and its source's hash. */
export function pairTextHashes(db: Db, pairId: number): { compressed: string; original: string } | undefined {
  return db
    .prepare(
      'SELECT p.compressed_hash AS compressed, s.hash AS original FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?',
    )
    .get(pairId) as { compressed: string; original: string } | undefined;
}

export interface LabelRow {
  pairId: number;
  labeler: string;
  decision: string;
  editedText: string | null;
  comment: string | null;
  status: 'draft' | 'submitted';
  seenCompressedHash: string;
  seenOriginalHash: string;
}

/**
 * Writes the labeler's current label on a pair: their earlier draft or label becomes discarded
 * (history is never lost), and a submission releases their lease on the pair. Call inside a
 * transaction.
 */
export function replaceLabel(db: Db, l: LabelRow): number {
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
      l.editedText,
      l.comment,
      l.status,
      l.seenCompressedHash,
      l.seenOriginalHash,
    ) as number;
  if (l.status === 'submitted')
    db.prepare('DELETE FROM review_leases WHERE pair_id = ? AND labeler = ?').run(l.pairId, l.labeler);
  return labelId;
}

/** The labeler's newest current (submitted or draft) label. */
export function lastLabel(db: Db, labeler: string): { id: number; pairId: number } | undefined {
  return db
    .prepare(
      `SELECT id, pair_id AS pairId FROM labels WHERE labeler = ? AND status IN ('submitted', 'draft') ORDER BY id DESC LIMIT 1`,
    )
    .get(labeler) as { id: number; pairId: number } | undefined;
}

export function discardLabel(db: Db, labelId: number): void {
  db.prepare(`UPDATE labels SET status = 'discarded', updated_at = ${NOW} WHERE id = ?`).run(labelId);
}

/** Source titles of pairs, by pair id (null for untitled sources). */
export function pairTitles(db: Db, pairIds: readonly number[]): Map<number, string | null> {
  const title = db
    .prepare('SELECT coalesce(s.title, s.origin_ref) FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?')
    .pluck();
  return new Map(pairIds.map((id) => [id, (title.get(id) as string | null | undefined) ?? null]));
}

/** The labeler's labels of one status, newest first. */
export function labelsOfStatus(
  db: Db,
  labeler: string,
  status: string,
  limit: number,
): { pairId: number; decision: string; updatedAt: string; title: string | null }[] {
  return db
    .prepare(
      `SELECT l.pair_id AS pairId, l.decision, l.updated_at AS updatedAt, coalesce(s.title, s.origin_ref) AS title FROM labels l
       JOIN pairs p ON p.id = l.pair_id JOIN sources s ON s.id = p.source_id
       WHERE l.labeler = ? AND l.status = ? ORDER BY l.id DESC LIMIT ?`,
    )
    .all(labeler, status, limit) as { pairId: number; decision: string; updatedAt: string; title: string | null }[];
}

/** The labeler's current labels counted by decision and status. */
export function labelerCounts(db: Db, labeler: string): { decision: string; status: string; n: number }[] {
  return db
    .prepare(
      `SELECT decision, status, count(*) AS n FROM labels WHERE labeler = ? AND status IN ('submitted', 'draft') GROUP BY decision, status`,
    )
    .all(labeler) as { decision: string; status: string; n: number }[];
}

/** Project-wide review counts: pairs, pairs with enough labelers, submitted labels, labelers. */
export function reviewTotals(
  db: Db,
  labelOverlap: number,
): { pairs: number; done: number; labels: number; labelers: number } {
  const pairs = db.prepare('SELECT count(*) FROM pairs').pluck().get() as number;
  const done = db
    .prepare(
      `SELECT count(*) FROM (SELECT pair_id FROM labels WHERE status = 'submitted' AND decision <> 'skip'
       GROUP BY pair_id HAVING count(DISTINCT labeler) >= ?)`,
    )
    .pluck()
    .get(labelOverlap) as number;
  const labels = db.prepare(`SELECT count(*) FROM labels WHERE status = 'submitted'`).pluck().get() as number;
  const labelers = db
    .prepare(`SELECT count(DISTINCT labeler) FROM labels WHERE status = 'submitted'`)
    .pluck()
    .get() as number;
  return { pairs, done, labels, labelers };
}

/** Pairs where labelers' current decisions differ (skips aside), with each labeler's decision. */
export function disagreements(db: Db, limit = 500): Disagreement[] {
  const rows = db
    .prepare(
      `SELECT l.pair_id, coalesce(s.title, s.origin_ref) AS title, l.labeler, l.decision, l.comment FROM labels l
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

export interface BulkPairRow {
  id: number;
  title: string | null;
  domain: string;
  strategy: string;
  model: string;
  original: string;
  compressed: string;
  compressed_hash: string;
  original_hash: string;
  tokens_original: number | null;
  tokens_compressed: number | null;
}

/** The pairs Bulk lists, with their source's text and title (or origin when untitled). */
export function bulkPairRows(db: Db, pairIds: readonly number[]): BulkPairRow[] {
  if (!pairIds.length) return [];
  const marks = pairIds.map(() => '?').join(',');
  return db
    .prepare(
      `SELECT p.id, coalesce(s.title, s.origin_ref) AS title, s.domain, p.strategy, p.model, s.text AS original, p.compressed,
         p.compressed_hash, s.hash AS original_hash, p.tokens_original, p.tokens_compressed
       FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id IN (${marks})`,
    )
    .all(...pairIds) as BulkPairRow[];
}
