import { lockedUnits } from './model.ts';
import type { Scored } from './types.ts';
import { splitUnits } from './units.ts';

/**
 * For tests of the selection: a text scored as if every word were one model token as surprising
 * as the next, so what is kept follows from the word classes and the turn rules alone, not from
 * a model's opinion.
 */
export function flatScores(text: string, o200k: (s: string) => number): Scored {
  const units = splitUnits(text);
  return {
    text,
    units,
    cost: Float64Array.from(units.map((u) => Math.max(1, o200k(text.slice(u.start, u.end))))),
    locked: lockedUnits(text, units, { domain: 'chat' }),
    tokenOwner: Int32Array.from(units.map((_, i) => i)),
    surprisal: new Float64Array(units.length).fill(3),
    totalTokens: o200k(text),
    modelTokens: units.length,
  };
}
