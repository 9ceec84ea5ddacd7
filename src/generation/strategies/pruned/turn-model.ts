import type { TurnModel } from './turn-value.ts';

/**
 * Which turns hold facts later asked about: fitted by `tsx bench/turn-value-fit.ts --write` (a logistic
 * regression, L2 1 on standardised features) on LoCoMo conversations 1-3 only, every session's
 * turns after the small-talk drop (1440, 313 evidence of a QA of category 1, 2 or 4).
 * In-sample AUC 0.859; left-one-conversation-out AUC 0.833, 0.796, 0.888
 * (the novelty rate alone: 0.759, 0.686, 0.749). Used through `turnRank`. Regenerate rather than edit.
 */
export const TURN_MODEL: TurnModel | null = {
  bias: -5.5942,
  weights: {
    newRate: 2.7946,
    logTokens: 0.7778,
    names: 1.5402,
    number: 1.492,
    questions: -0.4979,
    exclaims: 0.4735,
    firstPast: 0.9522,
    asksYou: -1.1362,
    afterQuestion: 1.0282,
    photo: 0.0096,
    position: -0.2083,
  },
};
