import type { Db } from './db.ts';

/** Priced provider calls, one row each, summed per run for budgets and the Runs page. */
export interface CostRow {
  runId: number | null;
  provider: string;
  model: string;
  purpose: string | null;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  cached: boolean;
}

/** A writer for cost rows, its statement prepared once. */
export function costRecorder(db: Db): (row: CostRow) => void {
  const insert = db.prepare(
    `INSERT INTO costs (run_id, provider, model, input_tokens, cached_input_tokens, output_tokens, cost_usd, cached, purpose)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (r) =>
    void insert.run(
      r.runId,
      r.provider,
      r.model,
      r.inputTokens,
      r.cachedInputTokens,
      r.outputTokens,
      r.costUsd,
      r.cached ? 1 : 0,
      r.purpose,
    );
}

/** A run's spend: dollars over priced calls, calls without a price, all calls, cache hits. */
export function runCostTotals(
  db: Db,
  runId: number,
): { usd: number; unpriced: number | null; calls: number; cached: number | null } {
  return db
    .prepare(
      'SELECT coalesce(sum(cost_usd), 0) AS usd, sum(cost_usd IS NULL) AS unpriced, count(*) AS calls, sum(cached) AS cached FROM costs WHERE run_id = ?',
    )
    .get(runId) as { usd: number; unpriced: number | null; calls: number; cached: number | null };
}
