import { lockedUnits } from './model.ts';
import type { Scored, ScoreOptions } from './types.ts';
import type { Unit } from './units.ts';

/**
 * Another scorer's words fed to the pruner's own selection (`selectWords`): given one information
 * value per word (nats per o200k token, what the pruner derives from surprisal), a `Scored` as the
 * language model would have produced it, one pseudo-token per word. The token classifier uses it,
 * so it applies its teacher's rules (small-talk turns dropped whole, closed-class and already-said
 * words first, whole turns dropped at harsh ratios, bare labels, protected spans) and any later
 * change to them.
 */
export function scoredFromWordValues(
  text: string,
  units: Unit[],
  info: ArrayLike<number>,
  o200k: (s: string) => number,
  options: ScoreOptions & { modelTokens?: number } = {},
): Scored {
  const cost = Float64Array.from(units, (u) => Math.max(1, o200k(text.slice(u.start, u.end))));
  // wordDensity divides a word's summed token surprisal by its cost: the value times the cost
  // gives back the value.
  const surprisal = Float64Array.from(units, (_u, i) => (info[i] as number) * (cost[i] as number));
  return {
    text,
    units,
    cost,
    locked: lockedUnits(text, units, options),
    tokenOwner: Int32Array.from(units, (_u, i) => i),
    surprisal,
    totalTokens: o200k(text),
    modelTokens: options.modelTokens ?? 0,
  };
}
