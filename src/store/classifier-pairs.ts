import type { Db } from './db.ts';
import { type AcceptedPair, LABEL_VOTES, PAIR_ACCEPTED } from './labels.ts';

/** A pair as the token classifier's labels need it: the original beside a compression. */
export interface ClassifierPairRow extends AcceptedPair {
  strategy: string;
  /** Accepted by its labels (PAIR_ACCEPTED in labels.ts). */
  approved: boolean;
}

export interface ClassifierPairQuery {
  /** Also unlabelled candidates of these strategies (e.g. pruned, prompted); approved pairs always come. */
  strategies?: readonly string[];
  /** Only pairs of these sources. */
  sourceIds?: readonly number[];
  /** Only pairs made by this run (a distillation run's pruned candidates). */
  runId?: number;
}

/**
 * Pairs for the keep/drop classifier: approved (or edited) pairs of prose and dialogue, plus the
 * candidates of the strategies asked for, never a rejected one and never code (code keeps its own
 * path). Ordered by pair id.
 */
export function classifierPairs(db: Db, query: ClassifierPairQuery = {}): ClassifierPairRow[] {
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, s.id AS sourceId, s.hash AS sourceHash, s.domain, s.text AS original, p.compressed,
        p.strategy, p.run_id AS runId,
        ${LABEL_VOTES.newestEdit} AS edited, ${LABEL_VOTES.yes} AS yes, ${LABEL_VOTES.no} AS no, ${PAIR_ACCEPTED} AS accepted
       FROM pairs p JOIN sources s ON s.id = p.source_id
       WHERE s.domain IN ('nl', 'chat')
       ORDER BY p.id`,
    )
    .all() as (Omit<ClassifierPairRow, 'approved'> & {
    runId: number | null;
    edited: string | null;
    yes: number;
    no: number;
    accepted: 0 | 1;
  })[];
  const strategies = new Set(query.strategies ?? []);
  const sources = query.sourceIds ? new Set(query.sourceIds) : undefined;
  const out: ClassifierPairRow[] = [];
  for (const { edited, yes, no, accepted, runId, ...r } of rows) {
    if (sources && !sources.has(r.sourceId)) continue;
    if (query.runId !== undefined && runId !== query.runId) continue;
    const approved = accepted === 1; // the one rule, src/store/labels.ts
    const candidate = yes === 0 && no === 0 && strategies.has(r.strategy);
    if (!approved && !candidate) continue;
    out.push({ ...r, compressed: edited ?? r.compressed, approved });
  }
  return out;
}
