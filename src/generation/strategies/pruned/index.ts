export { type PrunedCandidate, pruneAtRatios, prunedStrategy } from './candidates.ts';
export { bare, FUNCTION_WORDS, lowInformationTurns, phraseSpans } from './lexicon.ts';
export { createPruner, lockedUnits } from './model.ts';
export { leastNewTurns, selectWords, turnNovelty, wordDensity } from './select.ts';
export { prunedCandidates } from './strategy.ts';
export { TURN_MODEL } from './turn-model.ts';
export { TURN_FEATURES, type TurnFeature, type TurnModel, turnFeatures, turnLogit, turnRank } from './turn-value.ts';
export type { PruneOptions, PruneResult, Pruner, PrunerOptions, Scored, ScoreOptions } from './types.ts';
export { dialogueTurns, protectedUnits, renderKept, splitUnits, type Turn, type Unit } from './units.ts';
