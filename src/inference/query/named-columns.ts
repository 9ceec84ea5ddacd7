import { terms } from './bm25.ts';
import { MONTHS } from './query-cues.ts';

/**
 * Which of a table's columns a question names, by the column's name: a word of it the question says
 * ("Which rooms ..." names Room), or the short form of a day or month the question says in full
 * ("on Sunday" names a rota's column Sun, "in January" a budget's Jan). A cross-tab (one column per
 * day, per month) holds its values under such names, and a value it repeats across its columns
 * ("Night" in most rows of a shift rota) is told apart only by the column the question names.
 */

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** The full names a short form may stand for, each as `terms` writes it. */
const FULL_NAMES = [...DAYS, ...MONTHS].map((n) => ({ name: n, term: terms(n)[0] ?? n }));

/**
 * A word of a column's name stands for a day or month the question names: the word is that name's
 * first three letters or more ("sun", "tue", "thur", "sept"), or the name itself.
 */
const shortFor = (word: string, asked: ReadonlySet<string>): boolean =>
  word.length >= 3 && FULL_NAMES.some(({ name, term }) => asked.has(term) && name.startsWith(word));

/** Whether the question (its terms: `asked`) names the column by its name. */
export function namesColumn(name: string, asked: ReadonlySet<string>): boolean {
  return terms(name).some((w) => asked.has(w) || shortFor(w, asked));
}

/** The columns after the first (whose row it is) that the question names by name. */
export function namedColumns(header: readonly string[], query: string): number[] {
  const asked = new Set(terms(query));
  return header.flatMap((name, c) => (c > 0 && namesColumn(name, asked) ? [c] : []));
}
