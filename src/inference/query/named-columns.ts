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
  return header.flatMap((name, c) => (c > 0 && namesColumn(spelledOut(name, query), asked) ? [c] : []));
}

/**
 * A column's short name as the question spells it out: "Pts" as "points", "Qty" as "quantity", "GD"
 * as "goal difference" (session 40: of a league table, "Which teams have more than 25 points?" named
 * no column, and a 15-point team was kept). A name of two to four letters is short for a word of the
 * question when it is the word's first letter and then only consonants of it in order, ending on the
 * word's last letter (not "Pos" for "points"), or for consecutive words when it is their initials.
 * One letter ("W", "L") stands for too much. Else the name as it is.
 */
export function spelledOut(name: string, query: string): string {
  const short = name.trim().toLowerCase();
  if (!/^[a-z]{2,4}$/.test(short)) return name;
  const words = query.toLowerCase().match(/[a-z]+/g) ?? [];
  const word = words.find(
    (w) => w.length > short.length && w[0] === short[0] && w.endsWith(short.slice(-1)) && contracts(short, w),
  );
  if (word) return word;
  for (let i = 0; i + short.length <= words.length; i++) {
    const run = words.slice(i, i + short.length);
    if (run.every((w, k) => w.length > 1 && w[0] === short[k])) return run.join(' ');
  }
  return name;
}

/** The short form's letters after the first are consonants found in the word in order. */
function contracts(short: string, word: string): boolean {
  let at = 1;
  for (const ch of short.slice(1)) {
    if (/[aeiou]/.test(ch)) return false;
    at = word.indexOf(ch, at) + 1;
    if (at === 0) return false;
  }
  return true;
}
