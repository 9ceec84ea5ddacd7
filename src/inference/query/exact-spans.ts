/**
 * The words of a line the telegraphic style must copy as written: what a program or a person will
 * paste somewhere else, where a dropped "in" or a stripped comma is another program (review:
 * "`{ attempts, backoffMs }`" came back "`{ attempts backoffMs }`", a tool call's "SELECT
 * load_date, COUNT(*) AS rows" lost its comma, a tag's `source="#ask-hr Slack, 2024-11-04
 * (informal)"` its comma too). Each span runs over whitespace-split words, as telegraph.ts reads a
 * line: inline code between backticks, a tag from its "<" to its ">" (attributes and all), a
 * brace-delimited block ("{ a, b }", a template's "{{ name }}"), a call with its arguments
 * ("sum(line.amount for line in lines)") and an SQL statement (uppercase keywords, up to its ";" or
 * the line's end). A span left open runs to the line's end: the line may be code's, and keeping a
 * word too many costs a token where dropping one breaks the copy.
 */

/** An SQL statement's first keyword, as written in code (uppercase), not as prose ("select a date"). */
const SQL_OPENER = /^[("'`]*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|MERGE|TRUNCATE|EXPLAIN)$/;

/** A keyword that only an SQL statement has after its opener: two keywords tell SQL from shouting. */
const SQL_CLAUSE = /^(?:FROM|WHERE|SET|INTO|VALUES|TABLE|JOIN|GROUP|ORDER|INDEX|VIEW|AS|LIMIT|RETURNING)$/;

/** How many words after an SQL opener its clause keyword may come. */
const SQL_REACH = 12;

/** A tag opened in this word and not closed in it: `<doc`, `<a`, `</span` (not "a < b", not "->"). */
const TAG_OPEN = /<\/?[\p{L}!?][^>]*$/u;

/** A call opened in this word, its "(" right after a name: `sum(line.amount`, `randint(1,`. */
const CALL_OPEN = /[\p{L}\p{N}_\]]\(/u;

const count = (w: string, c: string) => w.split(c).length - 1;

/** The indices of `words` inside a span that must be copied as written. */
export function exactWords(words: readonly string[]): Set<number> {
  const out = new Set<number>();
  const add = (from: number, to: number) => {
    for (let m = from; m <= to; m++) out.add(m);
  };
  // Inline code: the backticks pair up across words.
  let tick = -1;
  for (const [k, w] of words.entries()) {
    const ticks = count(w, '`');
    if (tick >= 0) {
      if (ticks % 2) {
        add(tick, k);
        tick = -1;
      }
    } else if (ticks % 2) tick = k;
    else if (ticks) out.add(k);
  }
  if (tick >= 0) add(tick, words.length - 1);
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as string;
    const end = spanEnd(words, k, w);
    if (end !== null) {
      add(k, end);
      k = end;
    }
  }
  return out;
}

/** Where a span opening at `words[k]` ends (an index), or null when none opens there. */
function spanEnd(words: readonly string[], k: number, w: string): number | null {
  // A tag: to the word with its ">".
  if (TAG_OPEN.test(w)) return closing(words, k, (x) => x.includes('>'));
  // Braces and a call's brackets: to the word that balances them.
  if (w.includes('{') && count(w, '{') > count(w, '}')) return balanced(words, k, '{', '}');
  if (CALL_OPEN.test(w) && count(w, '(') > count(w, ')')) return balanced(words, k, '(', ')');
  if (SQL_OPENER.test(w)) {
    const reach = words.slice(k + 1, k + 1 + SQL_REACH);
    if (!reach.some((x) => SQL_CLAUSE.test(x.replace(/[^\p{L}]/gu, '')))) return null;
    return closing(words, k, (x) => x.endsWith(';'));
  }
  return null;
}

/** The first word from `k` on that `closes`, or the last word. */
function closing(words: readonly string[], k: number, closes: (w: string) => boolean): number {
  for (let j = k; j < words.length; j++) if (closes(words[j] as string)) return j;
  return words.length - 1;
}

/** The word from `k` on where the `open`/`close` pairs balance, or the last word. */
function balanced(words: readonly string[], k: number, open: string, close: string): number {
  let depth = 0;
  for (let j = k; j < words.length; j++) {
    const w = words[j] as string;
    depth += count(w, open) - count(w, close);
    if (depth <= 0) return j;
  }
  return words.length - 1;
}

/** A fence opening or closing a block of code in Markdown: three backticks or tildes. */
export const FENCE = /^[ \t]*(?:```|~~~)/;
