import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by `tsx bench/query-rank-fit.ts --write`
 * (a logistic regression, L2 30 on standardised features) on LoCoMo conversations 1-3 only,
 * 183602 (question, unit) pairs of QA categories 1, 2, 4 (483 evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * 254 / 247 / 236 of 261 (the hand weights: 249 / 244 / 221). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: -14.8111,
  weights: {
    lexical: -0.1148,
    lexicalRank: 1.5341,
    dense: 1.1559,
    denseRank: 0.4677,
    previous: 0.4653,
    next: -0.0297,
    session: 0.4246,
    speaker: 1.9561,
    listSpeaker: 0.8193,
    listLexical: -1.7159,
    listDense: 1.0615,
    name: -0.8864,
    date: 0.2688,
    whenTime: 0.6869,
    words: 1.0745,
    asks: -0.3488,
    hand: 6.6712,
  },
};
