// biome-ignore-all lint/suspicious/noApproximativeNumericConstant: fitted weights, one may land near a named constant (0.7071).
import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by `tsx bench/query-rank-fit.ts --write`
 * (a logistic regression, L2 30 on standardised features) on LoCoMo conversations 1-3 only,
 * 183602 (question, unit) pairs of QA categories 1, 2, 4 (483 evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * 254 / 249 / 236 of 261 (the hand weights: 249 / 244 / 220). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: -16.0773,
  weights: {
    lexical: -0.118,
    lexicalRank: 1.5427,
    dense: 0.8661,
    denseRank: 0.538,
    previous: 0.4539,
    next: -0.0853,
    session: 0.4755,
    speaker: 1.9465,
    listSpeaker: 0.8758,
    listLexical: -1.6046,
    listDense: 0.7071,
    name: -0.7715,
    date: 0.3186,
    whenTime: 0.661,
    words: 0.7499,
    asks: -0.341,
    hand: 6.5134,
    wordMatch: 5.2029,
  },
};
