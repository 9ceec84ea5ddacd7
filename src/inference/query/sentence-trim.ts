import { terms } from './bm25.ts';
import type { MemoryUnit } from './memory-units.ts';
import { sentencesIn } from './memory-units.ts';
import type { Prepared } from './relevance.ts';

/**
 * Finer units within the same budget (`weights.sentenceShare`): below the turns that fill a share
 * of the budget whole, a kept turn shows only the sentences that carry its relevance to the query,
 * under its `Speaker:` label, so the budget reaches more turns. A sentence carries it when it
 * shares a content term with the query; the sentence after such a one goes with it (the answer to
 * "what did X paint" is often the sentence after the one naming the painting). A turn with one
 * sentence, or with none sharing a term (ranked by its vector or its neighbours: which of its
 * sentences matters is unknown), stays whole.
 *
 * Off by default (sentenceShare 1). Measured on LoCoMo conversations 1-3 (bench/memory.ts,
 * `BENCH_MEMORY_WEIGHTS='{"sentenceShare":0.7}'`), answers kept at 5x / 10x / 20x against
 * 252 / 244 / 234 with whole turns: share 0.7 252 / 245 / 235, the best 10x with 5x and 20x not
 * worse, chosen; 0.5 / 0.6 / 0.8: 251 / 246 / 235, 251 / 246 / 234, 252 / 244 / 235. Without the
 * next sentence, share 0 / 0.1 / 0.2 / 0.3 / 0.5 / 0.7 at 10x: 226 / 238 / 242 / 246 / 246 / 245
 * (5x / 20x at 0.3: 251 / 229; at 0.5: 251 / 234). At 0.4: the query's names left out of the
 * matching terms (a vocative "Jon" matches everywhere) 252 / 245 / 228; the previous sentence
 * instead of the next 251 / 245 / 230; the turn's sentence closest to the query by MiniLM vector
 * (cached like the turns') kept too 249 / 243 / 227, with the next sentence 246 at 10x.
 * Held out (conversations 4-5, run once after the choice): 223 / 217 / 206 against 223 / 217 / 207,
 * so not the default: the gain on 1-3 is one answer, within what one lucky word moves (at 5x and
 * share 0.5 the answer "for his business" survived whole turns only through "business" in another
 * turn). After that, on 1-3 only: a turn with no sentence sharing a term cut to its first sentence
 * (and the next) instead of left whole, share 0.4 / 0.5 / 0.6: 251 / 246 / 230, 252 / 246 / 234,
 * 252 / 246 / 234 (not run on 4-5).
 * Why the gain is small: at 10x on 1-3 the output holds 54.1 turns on average at share 0.7 and 55.7
 * at 0.5 against 53.3 whole (telegraphic turns are short already, most lower-ranked turns have one
 * sentence or none sharing a term), far from the ~75 ranks the lost single-hop answers sit at; cutting
 * harder (share 0: 226) loses the answers the cut sentences held.
 */

interface Sentences {
  texts: string[];
  terms: Set<string>[];
}

/** Each unit's body cut into sentences with their content terms, once per memory. */
function sentencesOf(prep: Prepared): Sentences[] {
  prep.sentences ??= prep.bodies.map((b) => {
    const texts = sentencesIn(b);
    return { texts, terms: texts.map((t) => new Set(terms(t))) };
  });
  return prep.sentences;
}

/**
 * The unit's text cut to the sentences that share a term with the query and the sentence after
 * each (its label kept), or null when it stays whole (one sentence, none sharing a term, or every
 * sentence kept).
 */
export function relevantSentences(prep: Prepared, index: number, queryTerms: ReadonlySet<string>): string | null {
  const s = sentencesOf(prep)[index];
  if (!s || s.texts.length < 2 || prep.memory.units[index]?.kind === 'code') return null;
  const hit = s.terms.map((ts) => [...ts].some((t) => queryTerms.has(t)));
  if (!hit.some(Boolean)) return null;
  const kept = s.texts.filter((_, k) => hit[k] || hit[k - 1]);
  if (kept.length === s.texts.length) return null;
  const u = prep.memory.units[index] as MemoryUnit;
  return u.first && u.label ? `${u.label} ${kept.join(' ')}` : kept.join(' ');
}

/**
 * A long line cut to its clauses (its sentences, each split at its semicolons) holding every term of
 * the thing a question asks for (head-nouns.ts: "the notice period" of "What is the notice period for
 * termination?"), or null when none does or all do. For the best line alone over the budget when its
 * sentences sharing a word with the question are all of it (review, session 37: a contract's
 * termination clause, one 41-token sentence, was left out at 0.1, its "notice period of three months"
 * with it).
 */
export function askedClauses(text: string, head: readonly string[]): string | null {
  if (!head.length) return null;
  const parts = sentencesIn(text).flatMap((s) => s.split(/(?<=;)\s+/));
  const kept = parts.filter((p) => {
    const held = new Set(terms(p));
    return head.every((t) => held.has(t));
  });
  return kept.length && kept.length < parts.length ? kept.join(' ') : null;
}
