import { classifiedCandidates } from './classified.ts';
import { promptedStrategy } from './prompted.ts';
import { prunedCandidates } from './pruned/index.ts';
import { rulesCandidates } from './rules.ts';
import type { Strategy, StrategyName } from './spec.ts';

export type { Candidate, Rejection, Strategy, StrategyName, StrategyOptions, StrategySource } from './spec.ts';
export { STRATEGY_NAMES } from './spec.ts';

export const STRATEGIES: Readonly<Record<StrategyName, Strategy>> = {
  rules: rulesCandidates,
  prompted: promptedStrategy,
  pruned: prunedCandidates,
  classified: classifiedCandidates,
};
