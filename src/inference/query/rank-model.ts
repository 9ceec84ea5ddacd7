import type { RankModel } from './rank-features.ts';

/**
 * Which units of a memory a question's answer lies in: fitted by `tsx bench/query-rank-fit.ts --write`
 * (a logistic regression, L2 30 on standardised features) on LoCoMo conversations 1-3 only,
 * 185042 (question, unit) pairs of QA categories 1, 2, 4 (487 evidence).
 * Each conversation ranked by a model fitted on the other two, answers kept at 5x / 10x / 20x:
 * 253 / 245 / 234 of 261 (the hand weights: 249 / 244 / 218). Regenerate rather than edit.
 */
export const RANK_MODEL: RankModel | null = {
  bias: -14.6687,
  weights: {
    lexical: -0.1271,
    lexicalRank: 1.467,
    dense: 1.0959,
    denseRank: 0.5083,
    previous: 0.4347,
    next: -0.0182,
    session: 0.474,
    speaker: 1.8659,
    listSpeaker: 0.7906,
    listLexical: -1.6682,
    listDense: 1.0536,
    name: -0.9296,
    date: 0.2488,
    whenTime: 0.6908,
    words: 1.0456,
    asks: -0.375,
    hand: 6.7291,
  },
};
