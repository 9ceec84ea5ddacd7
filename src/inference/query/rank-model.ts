// biome-ignore-all lint/suspicious/noApproximativeNumericConstant: fitted weights, one may land near a named constant (0.7071).
import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by `tsx bench/query-rank-fit.ts --write`
 * (a logistic regression, L2 30 on standardised features) on LoCoMo conversations 1-3 only,
 * 183602 (question, unit) pairs of QA categories 1, 2, 4 (483 evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * 254 / 248 / 237 of 261 (the hand weights: 251 / 241 / 231). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: -15.2421,
  weights: {
    lexical: 0.1048,
    lexicalRank: 0.9513,
    dense: 0.7463,
    denseRank: 0.7805,
    previous: 0.4982,
    next: -0.0989,
    session: 0.4032,
    speaker: 1.9402,
    listSpeaker: 0.7336,
    listLexical: -1.257,
    listDense: 0.609,
    name: -0.4957,
    date: 0.3282,
    whenTime: 0.6832,
    words: 0.6988,
    asks: -0.3946,
    hand: 6.2594,
    wordMatch: 4.8032,
  },
};
