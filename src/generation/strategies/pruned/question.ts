import type { Unit } from './units.ts';

/** Lexical relevance to a question (the LongLLMLingua-like mode), without a model. */

const STOP = new Set(
  'a an the of in on at to for and or but is are was were be been with by from as that this it its his her their they he she i you we my your our me him them into about over after before than then so not no yes do does did has have had will would can could what when where who whom which how why whose'.split(
    ' ',
  ),
);
const contentWords = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w));
// A crude stem: the first five characters ("learning" ~ "learn", "started" ~ "start").
const stem = (w: string) => w.slice(0, 5);

/**
 * Lexical relevance to the question: a word sharing a stem with a question content word, and the
 * words of a sentence (or line, or turn) holding such words, get a bonus in nats per o200k token.
 */
export function questionBonus(text: string, units: readonly Unit[], question: string): Float64Array {
  const q = new Set(contentWords(question).map(stem));
  const bonus = new Float64Array(units.length);
  if (q.size === 0) return bonus;
  const hits = units.map((u) => contentWords(text.slice(u.word, u.end)).some((w) => q.has(stem(w))));
  let lineStart = 0;
  for (let i = 0; i <= units.length; i++) {
    const u = units[i];
    const prev = units[i - 1];
    const boundary =
      u === undefined ||
      (prev !== undefined &&
        (text.slice(u.start, u.word).includes('\n') || /[.!?]["')\]]*$/.test(text.slice(prev.word, prev.end))));
    if (!boundary) continue;
    const matched = new Set<string>();
    for (let k = lineStart; k < i; k++) {
      if (!hits[k]) continue;
      for (const w of contentWords(text.slice((units[k] as Unit).word, (units[k] as Unit).end))) {
        if (q.has(stem(w))) matched.add(stem(w));
      }
    }
    const share = matched.size / q.size;
    for (let k = lineStart; k < i; k++) bonus[k] = 6 * share + (hits[k] ? 4 : 0);
    lineStart = i;
  }
  return bonus;
}
