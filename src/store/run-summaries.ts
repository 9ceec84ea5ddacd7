import type { Db } from './db.ts';

/** What `studio generate` and `studio validate` print about the run they just made. */

export interface RunTargetSummary {
  /** The candidates' kept-fraction target (ratio or threshold), '-' when neither was set. */
  target: number | string;
  pairs: number;
  tokensBefore: number;
  tokensAfter: number;
  /** Null when no candidate of this target has a known price. */
  costUsd: number | null;
}

/** A generation run's pairs grouped by target. */
export function pairTargetsOfRun(db: Db, runId: number): RunTargetSummary[] {
  const rows = db
    .prepare(
      `SELECT coalesce(json_extract(params, '$.ratio'), json_extract(params, '$.threshold'), '-') AS target, count(*) AS n,
        sum(tokens_original) AS before, sum(tokens_compressed) AS after, sum(cost_usd) AS cost
       FROM pairs WHERE run_id = ? GROUP BY target ORDER BY target`,
    )
    .all(runId) as { target: number | string; n: number; before: number; after: number; cost: number | null }[];
  return rows.map((r) => ({
    target: r.target,
    pairs: r.n,
    tokensBefore: r.before,
    tokensAfter: r.after,
    costUsd: r.cost,
  }));
}

export interface RunSpend {
  usd: number;
  /** Calls with no known price (null when the run made none). */
  unpriced: number | null;
  calls: number;
  /** Calls answered from the cache (null when the run made none). */
  cached: number | null;
}

/** A run's provider calls: what they cost, how many, how many came from the cache. */
export function spendOfRun(db: Db, runId: number): RunSpend {
  return db
    .prepare(
      'SELECT coalesce(sum(cost_usd), 0) AS usd, sum(cost_usd IS NULL) AS unpriced, count(*) AS calls, sum(cached) AS cached FROM costs WHERE run_id = ?',
    )
    .get(runId) as RunSpend;
}
