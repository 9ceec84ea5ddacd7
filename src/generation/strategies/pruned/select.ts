import { InputError } from '../../../errors/index.ts';
import { bare, FUNCTION_WORDS, lowInformationTurns } from './lexicon.ts';
import type { PruneOptions, PruneResult, Scored } from './types.ts';
import { dialogueTurns, renderKept, type Turn, type Unit } from './units.ts';

export function checkTarget(opts: PruneOptions): void {
  if (opts.ratio === undefined && opts.threshold === undefined)
    throw new InputError('pruned needs a ratio or a threshold', { field: 'ratio' });
  if (opts.ratio !== undefined && !(opts.ratio > 0 && opts.ratio <= 1))
    throw new InputError(`ratio must be in (0, 1], got ${opts.ratio}`, { field: 'ratio' });
}

/** Bonus (nats per o200k token) for a content word, and the share of the previous word's density it inherits. */
const CONTENT_BONUS = 4;
const CARRY = 1;

/**
 * Information per o200k token of each word: the sum of its tokens' surprisal (with a question,
 * plus how much knowing the question made each token more expected, LongLLMLingua's contrastive
 * perplexity) over its o200k tokens. Two corrections to raw surprisal, which a small model makes
 * too willing to drop predictable content ("mental *health*", "guinea *pig*"): content words get
 * a flat bonus, and a content word inherits how much more informative the word before it was, so
 * phrases stay whole. With a question, lexical relevance is added.
 */
export function wordDensity(scored: Scored): Float64Array {
  const { text, units, cost, tokenOwner, surprisal, questionSurprisal, bonus } = scored;
  const raw = new Float64Array(units.length);
  for (let t = 0; t < tokenOwner.length; t++) {
    const w = tokenOwner[t] as number;
    let s = surprisal[t] as number;
    if (questionSurprisal) s += Math.max(0, s - (questionSurprisal[t] as number));
    raw[w] = (raw[w] as number) + s;
  }
  for (let i = 0; i < raw.length; i++) raw[i] = (raw[i] as number) / (cost[i] as number);
  const density = new Float64Array(units.length);
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    const content = !FUNCTION_WORDS.has(bare(text.slice(u.word, u.end)));
    const here = raw[i] as number;
    const carried = content && i > 0 ? CARRY * Math.max(0, (raw[i - 1] as number) - here) : 0;
    density[i] = here + (content ? CONTENT_BONUS : 0) + carried + (bonus?.[i] ?? 0);
  }
  return density;
}

/**
 * Keeps the protected words, then free words by information per token (highest first, ties in
 * text order) until the ratio is met, or every word at or above the threshold. Pure.
 */
export function selectWords(
  scored: Scored,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
): Omit<PruneResult, 'seconds'> {
  const { text, units, totalTokens, modelTokens } = scored;
  const density = wordDensity(scored);
  // Whole low-information turns (greetings, thanks, near-repeats) go before any word is pruned:
  // their words, protected ones included, are never candidates when a ratio is asked.
  const turns = dialogueTurns(text, units);
  const ratioMode = opts.ratio !== undefined && opts.ratio < 1;
  const out0 = new Uint8Array(units.length);
  const dropTurn = (t: Turn) => {
    for (let i = t.first; i <= t.last; i++) out0[i] = 1;
  };
  if (ratioMode) for (const t of lowInformationTurns(text, units, turns)) dropTurn(turns[t] as Turn);
  const bareTurns = (keep: Uint8Array) =>
    turns.filter((t) => {
      for (let i = t.labelEnd + 1; i <= t.last; i++) if (keep[i]) return false;
      for (let i = t.first; i <= t.labelEnd; i++) if (keep[i]) return true;
      return false;
    });
  let picked = selectOnce(scored, density, out0, opts, o200k);
  // A turn left with nothing but its speaker label goes whole, and the budget it held is spent
  // again on the other turns (a few rounds: freeing labels can leave other turns bare).
  for (let round = 0; round < 4 && ratioMode; round++) {
    const bare = bareTurns(picked.keep);
    if (!bare.length) break;
    for (const t of bare) dropTurn(t);
    picked = selectOnce(scored, density, out0, opts, o200k);
  }
  const { keep, protectedWords, protectedExceedsBudget } = picked;
  for (const t of bareTurns(keep)) for (let i = t.first; i <= t.labelEnd; i++) keep[i] = 0;
  const out = renderKept(text, units, keep);
  const keptTokens = o200k(out);
  let keptWords = 0;
  for (const k of keep) keptWords += k;
  return {
    text: out,
    keptTokens,
    totalTokens,
    ratio: totalTokens ? keptTokens / totalTokens : 1,
    keptWords,
    totalWords: units.length,
    protectedWords,
    protectedExceedsBudget,
    modelTokens,
  };
}

/** One selection: the locked words (minus those of `out0`), then free words by density to the ratio. */
function selectOnce(
  scored: Scored,
  density: Float64Array,
  out0: Uint8Array,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
): { keep: Uint8Array; protectedWords: number; protectedExceedsBudget: boolean } {
  const { text, units, cost, totalTokens } = scored;
  const keep = new Uint8Array(units.length);
  const locked = Uint8Array.from(scored.locked, (v, i) => (out0[i] ? 0 : v));
  let protectedWords = 0;
  let protectedCost = 0;
  for (let i = 0; i < units.length; i++) {
    if (!locked[i]) continue;
    keep[i] = 1;
    protectedWords++;
    protectedCost += cost[i] as number;
  }
  let protectedExceedsBudget = false;
  if (opts.ratio !== undefined) {
    const target = opts.ratio * totalTokens;
    const order = units
      .map((_, i) => i)
      .filter((i) => !locked[i] && !out0[i])
      .sort((a, b) => (density[b] as number) - (density[a] as number) || a - b);
    const prefixCost = new Float64Array(order.length + 1);
    order.forEach((i, k) => {
      prefixCost[k + 1] = (prefixCost[k] as number) + (cost[i] as number);
    });
    // The longest prefix of `order` whose cost fits the budget (binary search).
    const take = (budget: number) => {
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((prefixCost[mid] as number) <= budget) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const apply = (n: number) => {
      keep.set(locked);
      for (let k = 0; k < n; k++) keep[order[k] as number] = 1;
      return o200k(renderKept(text, units, keep));
    };
    let budget = target - protectedCost;
    protectedExceedsBudget = budget < 0;
    let n = take(Math.max(0, budget));
    let got = apply(n);
    // Words counted alone differ slightly from the joined text: correct a few times.
    for (let round = 0; round < 3 && Math.abs(got - target) > 0.01 * totalTokens && !protectedExceedsBudget; round++) {
      budget += target - got;
      const next = take(Math.max(0, budget));
      if (next === n) break;
      n = next;
      got = apply(n);
    }
  } else {
    const threshold = opts.threshold as number;
    for (let i = 0; i < units.length; i++) if ((density[i] as number) >= threshold) keep[i] = 1;
  }
  return { keep, protectedWords, protectedExceedsBudget };
}
