import type { Domain } from '../contracts/source.ts';
import type { Db } from './db.ts';

/** What the generation jobs read and prune beyond plain pair inserts (store/pairs.ts). */

/** How many of these sources are not code (the pruned strategy needs its model only for those). */
export function countNonCodeSources(db: Db, sourceIds: readonly number[]): number {
  if (!sourceIds.length) return 0;
  return db
    .prepare(`SELECT count(*) FROM sources WHERE domain != 'code' AND id IN (${sourceIds.map(() => '?').join(',')})`)
    .pluck()
    .get(...sourceIds) as number;
}

/**
 * The targets (ratio or threshold keys) already covered by stored pairs of a strategy and model
 * on a source; one pair may cover several. Prepared once for a whole run.
 */
export function coveredTargets(db: Db): (sourceId: number, strategy: string, model: string) => string[] {
  const covered = db
    .prepare(
      `SELECT DISTINCT j.value FROM pairs p, json_each(p.metadata, '$.covers') j
       WHERE p.source_id = ? AND p.strategy = ? AND p.model = ?`,
    )
    .pluck();
  return (sourceId, strategy, model) => covered.all(sourceId, strategy, model) as string[];
}

/** The fields the rules job needs of a source, or undefined. */
export function textOfSource(
  db: Db,
): (id: number) => { text: string; domain: Domain; language: string | null } | undefined {
  const get = db.prepare('SELECT text, domain, language FROM sources WHERE id = ?');
  return (id) => get.get(id) as { text: string; domain: Domain; language: string | null } | undefined;
}

export interface CandidateRow {
  id: number;
  sourceId: number;
  tokens: number;
  runId: number | null;
  /** Labels of any status: a labelled pair is someone's work and is never removed. */
  labels: number;
}

/** Pairs with what choosing among a source's candidates needs: size, run and labels. */
export function candidateRows(db: Db, pairIds: readonly number[]): CandidateRow[] {
  if (!pairIds.length) return [];
  return db
    .prepare(
      `SELECT id, source_id AS sourceId, tokens_compressed AS tokens, run_id AS runId,
        (SELECT count(*) FROM labels l WHERE l.pair_id = p.id) AS labels
       FROM pairs p WHERE id IN (${pairIds.map(() => '?').join(',')})`,
    )
    .all(...pairIds) as CandidateRow[];
}

/** Deletes pairs, all or none. */
export function deletePairs(db: Db, pairIds: readonly number[]): void {
  const del = db.prepare('DELETE FROM pairs WHERE id = ?');
  db.transaction(() => {
    for (const id of pairIds) del.run(id);
  })();
}

/** A generation run's pairs per target (ratio or threshold), with token and cost sums. */
export function runTargetTotals(
  db: Db,
  runId: number,
): { target: number | string; n: number; before: number; after: number; cost: number | null }[] {
  return db
    .prepare(
      `SELECT coalesce(json_extract(params, '$.ratio'), json_extract(params, '$.threshold'), '-') AS target, count(*) AS n,
        sum(tokens_original) AS before, sum(tokens_compressed) AS after, sum(cost_usd) AS cost
       FROM pairs WHERE run_id = ? GROUP BY target ORDER BY target`,
    )
    .all(runId) as { target: number | string; n: number; before: number; after: number; cost: number | null }[];
}
