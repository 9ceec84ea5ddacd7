import { terms } from './bm25.ts';
import { quantity } from './cell-quantity.ts';
import { flowSides } from './money-flow.ts';
import { spelledOut } from './named-columns.ts';

/**
 * The rows meeting a comparison the question states on a table's columns of quantities, which no
 * word of a row says: "Which items are below their reorder level?" compares each row's stock with
 * its own reorder level, "out of stock" asks for a stock of zero, "with stock under 10" for a number
 * (session 38: of an inventory export at 0.2, one of the four such rows was kept, by its words).
 */

/** Columns whose numbers name rather than measure. */
export const NAMING_COLUMN = /\b(?:id|no|nr|number|#|zip|postcode|postal|phone|code|ref|reference)\b/i;

/** Each row's value in a column of quantities (nine rows in ten read as one; not an id), or null. */
export function quantities(name: string, cells: readonly string[]): (number | undefined)[] | null {
  if (NAMING_COLUMN.test(name.replace(/_/g, ' '))) return null;
  const values = cells.map((c) => quantity(c));
  return values.filter((v) => v !== undefined).length * 10 >= cells.length * 9 ? values : null;
}

/** A comparison's word and what it compares with: the words after it (a column's name) or a number. */
const COMPARED =
  /\b(below|under|beneath|less than|lower than|fewer than|smaller than|above|over|more than|higher than|greater than|exceeding|exceeds?|before|after)\s+(?:(?:the|their|its|his|her|our|my|your)\s+)?([$€£¥]?-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[\p{L}_-]+(?:\s+[\p{L}_-]+){0,2})/giu;
const LESS = /^(?:below|under|beneath|less than|lower than|fewer than|smaller than|before)$/i;
/**
 * The numbers the question compares with ("fewer than 10"): bounds, not values a cell must hold (a
 * row whose minimum is 10 is not asked for).
 */
export const comparedNumbers = (query: string): string[] =>
  [...query.matchAll(COMPARED)].map((m) => m[2] as string).filter((w) => A_NUMBER.test(w));
/** A bound written as a number: "3", "-5", "£3.50", "1,000". */
const A_NUMBER = /^[$€£¥]?-?\d/;
/** The bound's value: its currency mark and thousands separators gone. */
const boundValue = (w: string): number => Number(w.replace(/[$€£¥,]/g, ''));

/** "out of stock": the column named after it at zero or less. */
const OUT_OF = /\bout\s+of\s+([\p{L}_-]+(?:\s+[\p{L}_-]+)?)/giu;

/**
 * The rows (indices into `cellRows`) meeting the comparisons the question states, all of them or
 * either as it joins them (`joined`): a column of
 * quantities the question names against another it names after "below", "above"... (or, named
 * alone, against the nearest column of quantities to its left: an inventory's stock, then its
 * reorder level), or against a number; a column named after "out of" at zero or less.
 */
export function comparedRows(
  written: readonly string[],
  cellRows: readonly (readonly string[])[],
  query: string,
): Set<number> {
  // "Pts" read as the question's "points" (named-columns.ts).
  const header = written.map((name) => spelledOut(name, query));
  if (cellRows.length < 2) return new Set();
  const columns = header.map((name, c) => ({
    c,
    values:
      c > 0
        ? quantities(
            name,
            cellRows.map((r) => r[c] ?? ''),
          )
        : null,
  }));
  const measured = columns.filter((x) => x.values);
  /** The column of quantities whose whole name the words say. */
  const named = (words: string) => {
    const said = new Set(terms(words));
    return measured.find(({ c }) => {
      const name = terms(header[c] ?? '');
      return name.length > 0 && name.every((t) => said.has(t));
    });
  };
  const said = terms(query);
  const asked = new Set(said);
  /** The columns named nearest the query's terms from `from` to `to` (the comparison), before or after. */
  const nearest = <T extends { c: number }>(columns: T[], from: number, to: number): T[] => {
    const gap = (c: number) =>
      Math.min(
        ...said.flatMap((t, at) =>
          terms(header[c] ?? '').includes(t) ? [at < from ? from - at : at >= to ? at - to + 1 : 0] : [],
        ),
      );
    const least = Math.min(...columns.map(({ c }) => gap(c)));
    return columns.filter(({ c }) => gap(c) === least);
  };
  // The rows meeting each comparison the question states, with where it stands: up to the words it
  // compares with, which may run on into the next ("below their min qty or").
  const met: { at: number; end: number; rows: Set<number> }[] = [];
  const meeting = (a: (number | undefined)[], test: (v: number, k: number) => boolean, into: Set<number>) =>
    a.forEach((v, k) => {
      if (v !== undefined && test(v, k)) into.add(k);
    });
  for (const m of query.matchAll(COMPARED)) {
    const less = LESS.test((m[1] as string).replace(/\s+/g, ' '));
    const what = m[2] as string;
    const number = A_NUMBER.test(what) ? boundValue(what) : null;
    const other = number === null ? named(what) : undefined;
    if (number === null && !other) continue;
    const otherTerms = new Set(other ? terms(header[other.c] ?? '') : []);
    // The side compared: the columns the question names besides the one compared with, the nearest
    // to the comparison when it names several ("with a min qty above 20 have fewer than 10 on hand":
    // read against both, each bound named rows of the other column, seven of eight).
    let sides = nearest(
      measured.filter(
        ({ c }) => c !== other?.c && terms(header[c] ?? '').some((t) => asked.has(t) && !otherTerms.has(t)),
      ),
      terms(query.slice(0, m.index)).length,
      terms(query.slice(0, m.index + m[0].length)).length,
    );
    if (!sides.length && other) sides = measured.filter(({ c }) => c < other.c).slice(-1);
    // "Which payments were over 100?": the sizes of the amounts paid (money-flow.ts).
    if (!sides.length && number !== null) sides = flowSides(written, cellRows, query);
    if (!sides.length) continue;
    const rows = new Set<number>();
    for (const { values } of sides) {
      const bound = (k: number) => (number !== null ? number : other?.values?.[k]);
      meeting(
        values as (number | undefined)[],
        (v, k) => {
          const b = bound(k);
          return b !== undefined && (less ? v < b : v > b);
        },
        rows,
      );
    }
    met.push({ at: m.index, end: m.index + m[0].length - what.length, rows });
  }
  for (const m of query.matchAll(OUT_OF)) {
    const column = named(m[1] as string);
    if (!column) continue;
    const rows = new Set<number>();
    meeting(column.values as (number | undefined)[], (v) => v <= 0, rows);
    met.push({ at: m.index, end: m.index + m[0].length - (m[1] as string).length, rows });
  }
  return joined(
    met.sort((a, b) => a.at - b.at),
    query,
  );
}

/** Words joining two comparisons into either one: "out of stock or below their reorder level". */
const EITHER = /\bor\b|\band\s+(?:which|what|who|those|any)\b|[;?]/i;

/**
 * The rows meeting the comparisons as the question joins them: those meeting either when it says
 * "or" between them (or asks again: "and which ..."), else those meeting both ("with a min qty above
 * 20 have fewer than 10 on hand", "above 20 and fewer than 10": session 39 named the rows meeting
 * either bound, a part with 140 on hand among them).
 */
function joined(met: readonly { at: number; end: number; rows: Set<number> }[], query: string): Set<number> {
  let out = new Set<number>(met[0]?.rows ?? []);
  for (let i = 1; i < met.length; i++) {
    const { rows, at } = met[i] as { rows: Set<number>; at: number };
    const between = query.slice((met[i - 1] as { end: number }).end, at);
    out = EITHER.test(between) ? new Set([...out, ...rows]) : new Set([...out].filter((k) => rows.has(k)));
  }
  return out;
}
