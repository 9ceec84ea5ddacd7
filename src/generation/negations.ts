/**
 * Negations a compression turned into their opposite: "shops do not take cards" compressed to
 * "shops take cards". A negation is a function word, so a model (or a careless rule) drops it, and
 * the words kept then say the reverse. Whole clauses going is fine; what is caught is the phrase a
 * negation governed coming back without one.
 */

import { isNegation } from './strategies/pruned/lexicon.ts';

export interface FlippedNegation {
  /** The original's negation and the words it governs ("not take cards"), as offsets into it. */
  start: number;
  end: number;
  text: string;
}

interface Word {
  text: string;
  start: number;
  end: number;
  /** The sentence it is in, counted over the text: a negation governs its own sentence only. */
  sentence: number;
}

function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  let sentence = 0;
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu)) {
    if (/[.!?;\n]/.test(text.slice(last, m.index))) sentence++;
    out.push({ text: m[0].toLowerCase().replace(/’/g, "'"), start: m.index, end: m.index + m[0].length, sentence });
    last = m.index + m[0].length;
  }
  return out;
}

/** Words a negation is read over: "do not take cards", "not at all sure", "never been to Porto". */
const REACH = 3;
/** The words a negation governs, as a key: the two after it, when one of them has some weight. */
const GOVERNED = 2;

const key = (words: readonly Word[], from: number): string | null => {
  const span = words.slice(from, from + GOVERNED);
  const first = span[0];
  if (span.length < GOVERNED || !first || span.some((w) => w.sentence !== first.sentence || isNegation(w.text)))
    return null;
  return span.some((w) => w.text.length >= 4) ? span.map((w) => w.text).join(' ') : null;
};

/** How often each governed phrase occurs with no negation in the words before it (same sentence). */
function plainCounts(words: readonly Word[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const k = key(words, i);
    if (!k) continue;
    const sentence = (words[i] as Word).sentence;
    let negated = false;
    for (let j = Math.max(0, i - REACH); j < i; j++) {
      const w = words[j] as Word;
      if (w.sentence === sentence && isNegation(w.text)) negated = true;
    }
    if (!negated) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/**
 * Each negation of `original` whose governed words occur in `compressed` without a negation more
 * often than they did so in `original`: there the compression says the opposite. Once per phrase.
 */
export function flippedNegations(original: string, compressed: string): FlippedNegation[] {
  const words = wordsOf(original);
  const before = plainCounts(words);
  const after = plainCounts(wordsOf(compressed));
  const out: FlippedNegation[] = [];
  const seen = new Set<string>();
  words.forEach((w, i) => {
    if (!isNegation(w.text)) return;
    const k = key(words, i + 1);
    if (!k || seen.has(k) || (after.get(k) ?? 0) <= (before.get(k) ?? 0)) return;
    seen.add(k);
    const end = (words[i + GOVERNED] as Word).end;
    out.push({ start: w.start, end, text: original.slice(w.start, end) });
  });
  return out;
}
