import type { RankModel } from './rank-features.ts';

/** Placeholder until bench/query-rank-fit.ts --write generates it. */
export const RANK_MODEL: RankModel | null = null;
