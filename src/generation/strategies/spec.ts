import type { ModelRef } from '../../contracts/providers.ts';
import type { Domain } from '../../contracts/source.ts';
import type { ProviderRegistry } from '../../providers/registry.ts';
import type { Pruner } from './pruned/index.ts';

/**
 * A strategy is a function (source, options) -> candidates. Each candidate carries the strategy's
 * name, version and every parameter that made it, stored on the pair; what a strategy refuses to
 * store comes back as a rejection with its reason.
 */
export type StrategyName = 'rules' | 'prompted' | 'pruned' | 'classified';
export const STRATEGY_NAMES: readonly StrategyName[] = ['rules', 'prompted', 'pruned', 'classified'];

export interface StrategySource {
  id: number;
  text: string;
  domain: Domain;
  language: string | null;
  metadata: Record<string, unknown>;
}

export interface Candidate {
  compressed: string;
  strategy: StrategyName;
  strategyVersion: string;
  params: Record<string, unknown>;
  /** The model that made it ('' for rules). */
  model: string;
  /** What producing it cost; null when the model's price is unknown. */
  costUsd: number | null;
  metadata: Record<string, unknown>;
}

export interface Rejection {
  params: Record<string, unknown>;
  reason: string;
}

export interface StrategyOutput {
  candidates: Candidate[];
  rejected: Rejection[];
}

export interface StrategyOptions {
  /** Kept fractions of o200k tokens to aim for, one candidate each (rules ignores them). */
  ratios: readonly number[];
  /** pruned: keep words scoring at least this instead of aiming for a ratio. */
  threshold?: number;
  /** pruned: keep what bears on this question. */
  question?: string;
  /** Strings that must survive verbatim (pruned), names that must stay defined (code). */
  protect?: readonly string[];
}

export interface StrategyDeps {
  /** prompted: the generator model and the registry that calls it. */
  generator?: ModelRef;
  registry?: ProviderRegistry;
  /** pruned: a loaded local model. */
  pruner?: Pruner;
  /** pruned: how the model is named on the pair (its file name). */
  prunerModel?: string;
  /** classified: a loaded token classifier (src/inference/classifier.ts) and its name on the pair. */
  classifier?: ClassifierDep;
  classifierModel?: string;
  runId?: number;
  signal?: AbortSignal;
}

/** What `classified` needs of the token classifier (its type lives in src/inference). */
export interface ClassifierDep {
  compress(
    text: string,
    options: { ratio?: number; threshold?: number; protect?: readonly (string | RegExp)[]; domain?: string },
  ): Promise<{ text: string }>;
}

export type Strategy = (
  source: StrategySource,
  options: StrategyOptions,
  deps: StrategyDeps,
) => Promise<StrategyOutput>;

/**
 * What a candidate was made for ("r:0.5", "t:2", or "-" for no target), kept in its metadata as
 * `covers`: a rerun skips a source whose every target is covered by a stored pair.
 */
export function targetKey(t: { ratio?: number; threshold?: number }): string {
  return t.ratio !== undefined ? `r:${t.ratio}` : t.threshold !== undefined ? `t:${t.threshold}` : '-';
}
