// biome-ignore-all lint/suspicious/noApproximativeNumericConstant: fitted weights, one may land near a named constant (0.7071).
import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by `tsx bench/query-rank-fit.ts --write`
 * (a logistic regression, L2 30 on standardised features) on LoCoMo conversations 1-3 only,
 * 183602 (question, unit) pairs of QA categories 1, 2, 4 (483 evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * 255 / 251 / 236 of 261 (the hand weights: 252 / 243 / 232). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: -15.2122,
  weights: {
    lexical: 0.0903,
    lexicalRank: 0.9428,
    dense: 0.7399,
    denseRank: 0.7779,
    previous: 0.4944,
    next: -0.0984,
    session: 0.3656,
    speaker: 1.9469,
    listSpeaker: 0.7238,
    listLexical: -1.255,
    listDense: 0.5941,
    name: -0.4907,
    date: 0.3133,
    whenTime: 0.6625,
    words: 0.6982,
    asks: -0.388,
    hand: 6.3492,
    wordMatch: 4.7695,
  },
};
