import type { Db } from './db.ts';

/** Verdicts counted per pair and validator model, for scores (validation) and Bulk's score chips. */

/** Per pair and model: equivalent probe verdicts, and probe verdicts that are not judge errors. */
export function probeTallies(
  db: Db,
  pairIds: readonly number[],
): { pairId: number; model: string; eq: number; judged: number }[] {
  if (!pairIds.length) return [];
  const marks = pairIds.map(() => '?').join(',');
  return db
    .prepare(
      `SELECT pair_id AS pairId, model, sum(outcome = 'equivalent') AS eq, sum(outcome <> 'judge-error') AS judged
       FROM verdicts WHERE pair_id IN (${marks}) AND probe_id IS NOT NULL GROUP BY pair_id, model`,
    )
    .all(...pairIds) as { pairId: number; model: string; eq: number; judged: number }[];
}

/** Per pair and model, over judged probe verdicts: equivalent, different and judge-error counts. */
export function judgeTallies(db: Db): { pairId: number; model: string; eq: number; diff: number; err: number }[] {
  return db
    .prepare(
      `SELECT pair_id AS pairId, model, sum(outcome = 'equivalent') AS eq, sum(outcome = 'different') AS diff, sum(outcome = 'judge-error') AS err
       FROM verdicts WHERE method = 'judge' AND probe_id IS NOT NULL GROUP BY pair_id, model`,
    )
    .all() as { pairId: number; model: string; eq: number; diff: number; err: number }[];
}

/** The model that generated each pair. */
export function pairGenerators(db: Db): { id: number; model: string }[] {
  return db.prepare('SELECT id, model FROM pairs').all() as { id: number; model: string }[];
}
