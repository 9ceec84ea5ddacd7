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

/** A second clause an SQL statement goes on with after its first (a filter, a grouping, a join, values). */
const SQL_MORE = /^(?:WHERE|JOIN|GROUP|ORDER|HAVING|LIMIT|SET|VALUES|RETURNING|ON)$/;

/**
 * What only code writes inside a statement: an identifier in lower or mixed case ("load_date",
 * "Orders"), an underscore, a star, an operator, a quote, a bracket, a qualified name
 * ("sales.fact_orders"), a comma inside a column list, or the ";" ending it.
 */
const SQL_MARK = /\p{Ll}|[_*=<>'"`();]|\p{L}\.\p{L}/u;

/** English words no table, column or alias is named: "FROM THE MENU", "INTO YOUR ACCOUNT". */
const NOT_IDENTIFIER = new Set(
  'a an the this that these those my your his her its our their some any each every all no one'.split(' '),
);

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
  if (SQL_OPENER.test(w)) return sqlEnd(words, k);
  return null;
}

/**
 * Where the SQL statement opening at `words[k]` ends, or null when the words only shout: a clause
 * keyword within reach, naming something ("FROM THE MENU" names nothing), and more of a statement's
 * shape than two capitalised words, a second clause ("WHERE ...") or a mark only code makes (review:
 * "PLEASE SELECT THE BEST OPTION FROM THE MENU BELOW AND UPDATE YOUR PROFILE" was copied as written,
 * never telegraphed). A statement all in capitals with nothing else ("SELECT NAME FROM USERS") reads
 * as shouting too: telegraphed, it keeps its open-class words.
 */
function sqlEnd(words: readonly string[], k: number): number | null {
  const keyword = (x: string) => x.replace(/[^\p{L}]/gu, '');
  const reach = words.slice(k + 1, k + 1 + SQL_REACH);
  const clause = reach.findIndex((x) => SQL_CLAUSE.test(keyword(x)));
  if (clause < 0) return null;
  const named = reach[clause + 1];
  if (named !== undefined && NOT_IDENTIFIER.has(keyword(named).toLowerCase())) return null;
  const end = closing(words, k, (x) => x.endsWith(';'));
  const statement = words.slice(k + 1, end + 1);
  // A column list's comma: "SELECT id, name FROM" (a comma after the clause is prose's as often).
  const columns = reach.slice(0, clause).some((x) => x.endsWith(','));
  const more = statement.slice(clause + 1).some((x) => SQL_MORE.test(keyword(x)));
  return columns || more || statement.some((x) => SQL_MARK.test(x)) ? end : null;
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
