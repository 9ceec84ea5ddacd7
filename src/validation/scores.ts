import type { Db } from '../store/db.ts';
import { judgeTallies, pairGenerators } from '../store/verdict-tallies.ts';

export interface ModelScore {
  model: string;
  pairs: number;
  /** Pairs with at least one judged probe on this model. */
  judgedPairs: number;
  probesJudged: number;
  probesEquivalent: number;
  judgeErrors: number;
  /** Mean over pairs of the share of probes answered equivalently. */
  taskEquivalence: number | null;
  passed: number;
}

export interface PairScore {
  pairId: number;
  model: string;
  equivalence: number | null;
  judged: number;
  judgeErrors: number;
  pass: boolean | null;
}

export interface Scores {
  threshold: number;
  byModel: ModelScore[];
  pairs: PairScore[];
  /**
   * Of the pairs that pass on their home model (the validator whose model generated the pair, or
   * the first validator when none did), the share that pass on every other validator.
   */
  transfer: { eligible: number; transferred: number; rate: number | null };
}

/** Scores from stored verdicts: a rerun or a resumed run scores the same rows the same way. */
export function computeScores(
  db: Db,
  pairIds: readonly number[],
  models: readonly string[],
  threshold: number,
): Scores {
  const rows = judgeTallies(db);
  const wanted = new Set(pairIds);
  const byKey = new Map(rows.filter((r) => wanted.has(r.pairId)).map((r) => [`${r.pairId}|${r.model}`, r]));
  const pairModel = new Map(
    pairGenerators(db)
      .filter((p) => wanted.has(p.id))
      .map((p) => [p.id, p.model]),
  );
  const pairs: PairScore[] = [];
  for (const pairId of pairIds) {
    for (const model of models) {
      const r = byKey.get(`${pairId}|${model}`);
      const judged = r ? r.eq + r.diff : 0;
      const equivalence = judged ? (r?.eq ?? 0) / judged : null;
      pairs.push({
        pairId,
        model,
        equivalence,
        judged,
        judgeErrors: r?.err ?? 0,
        pass: equivalence === null ? null : equivalence >= threshold,
      });
    }
  }
  const byModel: ModelScore[] = models.map((model) => {
    const mine = pairs.filter((p) => p.model === model);
    const judged = mine.filter((p) => p.equivalence !== null);
    return {
      model,
      pairs: mine.length,
      judgedPairs: judged.length,
      probesJudged: mine.reduce((n, p) => n + p.judged, 0),
      probesEquivalent: mine.reduce((n, p) => n + Math.round((p.equivalence ?? 0) * p.judged), 0),
      judgeErrors: mine.reduce((n, p) => n + p.judgeErrors, 0),
      taskEquivalence: judged.length ? judged.reduce((n, p) => n + (p.equivalence ?? 0), 0) / judged.length : null,
      passed: mine.filter((p) => p.pass).length,
    };
  });
  let eligible = 0;
  let transferred = 0;
  if (models.length > 1) {
    for (const pairId of pairIds) {
      const generatedBy = pairModel.get(pairId) ?? '';
      const home = models.find((m) => m === generatedBy || m.endsWith(`/${generatedBy}`)) ?? models[0];
      const homeScore = pairs.find((p) => p.pairId === pairId && p.model === home);
      if (!homeScore?.pass) continue;
      eligible++;
      const others = pairs.filter((p) => p.pairId === pairId && p.model !== home);
      if (others.every((p) => p.pass === true)) transferred++;
    }
  }
  return {
    threshold,
    byModel,
    pairs,
    transfer: { eligible, transferred, rate: eligible ? transferred / eligible : null },
  };
}
