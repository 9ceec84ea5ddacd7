import { terms } from './bm25.ts';
import type { ParsedMemory } from './memory-units.ts';

/**
 * How many of the best units a cue looks at: the line a cue wants ranks among them, below the one
 * that names more of the question's words (a rule 4.5 logits under a fact naming its bucket; a
 * correction fourth, under the figure it corrects).
 */
export const BEST = 5;

/** The indices of the texts to rank (not null), best first, ties in memory order. */
export function rankedTexts(score: Float64Array, texts: readonly (string | null)[]): number[] {
  return texts
    .flatMap((t, k) => (t === null ? [] : [k]))
    .sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
}

/**
 * Raises, in place, the texts among the BEST first that `wanted` accepts and that hold a term of
 * the query (`names` left out: a chat names its speakers everywhere) just above the best, in their
 * own order. A null text is not ranked (a memory's framing). Shared by the cues that know what
 * kind of line answers (prohibitions.ts, corrections.ts) where the ranker reads only words.
 */
export function raiseAmongBest(
  score: Float64Array,
  texts: readonly (string | null)[],
  query: string,
  wanted: (text: string) => boolean,
  names: ReadonlySet<string> = new Set(),
): void {
  const asked = new Set(terms(query).filter((t) => !names.has(t)));
  if (!asked.size) return;
  const best = rankedTexts(score, texts).slice(0, BEST);
  const top = best.length ? (score[best[0] as number] as number) : 0;
  const raised = best.filter((k) => {
    const text = texts[k] as string;
    return wanted(text) && terms(text).some((t) => asked.has(t));
  });
  liftAbove(score, raised, top);
}

/**
 * Lifts the units `raised` above `top`, their order among themselves kept: each goes to top + 0.5
 * plus its place between the lowest of them and `top` (or over `span`), under top + 1.5. The one
 * lift of every rule that puts a kind of line first (prohibitions, corrections, bounds, deadlines,
 * date ranges).
 */
export function liftAbove(score: Float64Array, raised: readonly number[], top: number, span?: number): void {
  if (!raised.length) return;
  let lowest = Number.POSITIVE_INFINITY;
  for (const k of raised) lowest = Math.min(lowest, score[k] as number);
  const over = (span ?? top - lowest) + 1;
  for (const k of raised) score[k] = top + 0.5 + ((score[k] as number) - lowest) / over;
}

/** The texts of a memory's units to raise among (its framing left out) and its speakers' terms. */
export function unitTexts(memory: ParsedMemory): { texts: (string | null)[]; speakers: Set<string> } {
  return {
    texts: memory.units.map((u) => (u.pinned ? null : u.text)),
    speakers: new Set(memory.units.flatMap((u) => (u.speaker ? terms(u.speaker) : []))),
  };
}
