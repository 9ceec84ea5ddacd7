import { flatScores } from '../flat-scores.ts';
import { lockedUnits, phraseSpans, selectWords } from '../index.ts';

/**
 * Test helpers for the pruner's rules with every model token at the same surprisal: what is kept
 * follows from the word classes and the locked spans alone.
 */

/** Whether one locked span (phraseSpans) covers the first occurrence of `phrase` in `text`. */
export const lockCovers = (text: string, phrase: string): boolean =>
  phraseSpans(text).some((p) => {
    const at = text.indexOf(phrase);
    return p.start <= at && p.end >= at + phrase.length;
  });

/** What the pruner keeps at `ratio` under flat scores, its locks applied: the text, its ratio, what it released. */
export function flatPruneResult(text: string, ratio: number, count: (s: string) => number) {
  const s = flatScores(text, count);
  return selectWords({ ...s, locked: lockedUnits(text, s.units, {}) }, { ratio }, count);
}

/** The text the pruner keeps at `ratio` under flat scores, its locks applied. */
export function flatPrune(text: string, ratio: number, count: (s: string) => number): string {
  return flatPruneResult(text, ratio, count).text;
}
