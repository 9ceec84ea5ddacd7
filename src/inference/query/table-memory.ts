/**
 * Query-aware selection over a table an app injects (a CSV or TSV of records, a tool's result):
 * the header always, then the rows the query needs (those holding a value it names, or lacking one
 * it negates: negated-values.ts), most relevant first within the budget, written
 * back as they were and in the table's order, so the app's parser still reads a table.
 */

import type { TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { emitTable, type Table } from '../../util/table-source.ts';
import { ISO_DATE, quantity } from './cell-quantity.ts';
import { NAMING_COLUMN } from './column-comparisons.ts';
import { negatedValue } from './negated-values.ts';
import { scoreRecords } from './record-scores.ts';
import type { ScoreOptions } from './select.ts';
import { askedColumns, project } from './table-columns.ts';
import { valueMatches } from './value-matches.ts';

export interface TableSelection {
  text: string;
  rows: number;
  kept: number;
  embedded: number;
  /** Ranked without dense relevance: the first embedding pass was still running (`denseSignal`). */
  densePending: boolean;
  /** The header and the most relevant row alone were over the budget; they were kept. */
  overBudget: boolean;
  /**
   * The header's columns kept when not all were (askedColumns): the rows asked for did not fit beside
   * the whole header.
   */
  columns?: string[];
  /**
   * Rows holding a value the query names, or lacking one it negates, that did not fit (a list
   * question's last matches).
   */
  missed: number;
  /** The column whose empty cells the query asks for ("not assigned to anyone": "Assignee"). */
  emptyColumn?: string;
}

/** A question after the most or the least of something: its rows are found by value, not by words. */
// Words only, no "max", "min" or "top": names and idioms ("What did Max buy?", "on top of"; review).
const MOST =
  /\b(?:largest|biggest|highest|greatest|most expensive|priciest|costliest|maximum|latest(?! on\b| news\b)|newest|most recent)\b/i;
const LEAST = /\b(?:smallest|lowest|cheapest|least expensive|minimum|earliest|oldest)\b/i;
/**
 * The rows holding a column's extreme when the question asks for the most or the least ("What was the
 * largest purchase?"): per column of quantities (nine rows in ten read as one; not an id), its
 * highest and lowest value for "largest" (an amount spent is often negative), the one nearest zero
 * for "smallest", the latest or earliest date. No word of the question names such a row (review: 9
 * grocery rows kept, the Apple Store's -3,299.00 lost).
 */
function extremeRows(table: Table, query: string): Set<number> {
  const out = new Set<number>();
  const most = MOST.test(query);
  const least = LEAST.test(query);
  if ((!most && !least) || table.rows.length < 3) return out;
  table.header.cells.forEach((name, col) => {
    if (NAMING_COLUMN.test(name)) return;
    const values = table.rows.map((r) => quantity(r.cells[col] ?? ''));
    const read = values.filter((v) => v !== undefined).length;
    if (read * 10 < table.rows.length * 9) return;
    const date = ISO_DATE.test((table.rows[0]?.cells[col] ?? '').trim());
    const pick = (better: (a: number, b: number) => boolean) => {
      let best = -1;
      values.forEach((v, k) => {
        if (v !== undefined && (best < 0 || better(v, values[best] as number))) best = k;
      });
      if (best >= 0) out.add(best);
    };
    if (date) pick(most ? (a, b) => a > b : (a, b) => a < b);
    else if (most) {
      pick((a, b) => a > b);
      pick((a, b) => a < b);
    } else pick((a, b) => Math.abs(a) < Math.abs(b));
  });
  return out;
}

export async function selectTable(
  table: Table,
  options: ScoreOptions & { budget: number; count: TokenCounter },
): Promise<TableSelection> {
  const names = table.header.cells.map((c) => c.trim());
  // A row reads as its fields: "city: Lisbon; age: 34", so a question naming a column finds it.
  const lines = table.rows.map((r) => r.cells.map((c, k) => `${names[k] ?? ''}: ${c}`).join('; '));
  const { score, embedded, densePending } = await scoreRecords(lines, options);
  // A value the question negates ("not on Kubernetes") is no value it names: the rows lacking it
  // count as named, and those holding it go after every other (review: they were kept first).
  // So is a column the question wants empty ("not assigned to anyone"): its empty cells are named.
  const negation = negatedValue(
    table.rows.map((r) => r.cells),
    options.query,
    names,
  );
  const { weight: cells, whole } = valueMatches(
    table.header.cells,
    table.rows.map((r) => r.cells),
    options.query,
    negation?.terms ?? [],
  );
  const excluded = (k: number) => (negation?.holding.has(k) ? 1 : 0);
  if (negation)
    table.rows.forEach((r, k) => {
      if (!excluded(k) && (negation.empty || r.cells[negation.column]?.trim())) cells[k] = (cells[k] as number) + 1;
    });
  // A column's extreme, asked for, comes before the rows relevance alone would pick, after those a
  // value the question names picks ("the largest purchase at Costco": Costco's rows first; review:
  // a boost over them kept the wrong rows): 0.5 is below any named value's weight (ln 2 at least).
  for (const k of extremeRows(table, options.query)) cells[k] = (cells[k] as number) + 0.5;
  // A value the question names picks its rows first ("in Lisbon": the rows whose city is Lisbon,
  // before a row whose notes mention it); the relevance orders the rest and breaks ties.
  const order = table.rows
    .map((_, k) => k)
    .sort(
      (a, b) =>
        excluded(a) - excluded(b) ||
        (cells[b] as number) - (cells[a] as number) ||
        (whole[b] as number) - (whole[a] as number) ||
        (score[b] as number) - (score[a] as number) ||
        a - b,
    );
  const rank = new Map(order.map((k, at) => [k, at]));
  const fill = (t: Table, onlyNamed = false) => {
    const keep = new Set<number>();
    const lineCost = (raw: string) => options.count(`${raw}${t.newline}`);
    let used = options.count(t.header.raw);
    // Once a row the question names did not fit, no row it names none of takes the room left: read
    // under the header, it passes for an answer (session 39: an inventory's "Safety glasses, 64, 25"
    // kept for "below their reorder level" where two rows below it were not).
    // A table cut to the columns its named rows need keeps those rows only (as document-tables.ts).
    let missedNamed = false;
    for (const k of order) {
      const c = lineCost((t.rows[k] as { raw: string }).raw);
      if ((missedNamed || onlyNamed) && !((cells[k] as number) > 0)) continue;
      if (used + c > options.budget && keep.size) {
        if ((cells[k] as number) > 0) missedNamed = true;
        continue;
      }
      keep.add(k);
      used += c;
    }
    let text = emitTable(t, keep);
    // Rows counted apart are an estimate: the last in the order go until the whole fits (by relevance
    // alone a row the question negates could stay while one it asks for went).
    while (keep.size > 1 && options.count(text) > options.budget) {
      const worst = [...keep].sort((a, b) => (rank.get(b) as number) - (rank.get(a) as number))[0] as number;
      keep.delete(worst);
      text = emitTable(t, keep);
    }
    const missed = table.rows.filter((_, k) => (cells[k] as number) > 0 && !excluded(k) && !keep.has(k)).length;
    return { text, keep, missed, overBudget: options.count(text) > options.budget };
  };
  let chosen = fill(table);
  let columns: string[] | undefined;
  // A wide header left no room for the rows asked for: the columns the question needs, the rest said.
  // Not for a question negating a value or asking for empty cells: the column it names is the one
  // the rows lack, and the key beside blanks says less than the rows as written.
  if ((chosen.overBudget || chosen.missed) && !negation) {
    const named = (k: number) => (cells[k] as number) > 0;
    const onlyNamed = table.rows.some((_, k) => named(k));
    // With the column naming what a code-keyed row is, unless that leaves out more rows asked for.
    let cut: { asked: number[]; narrow: ReturnType<typeof fill> } | undefined;
    for (const label of [true, false]) {
      const asked = askedColumns(table, options.query, named, { label });
      if (!asked) continue;
      const narrow = fill(project(table, asked), onlyNamed);
      if (!cut || narrow.missed < cut.narrow.missed) cut = { asked, narrow };
    }
    if (cut) {
      const { asked, narrow } = cut;
      // Only for what it brings: a row asked for that the whole header left out, or the header and
      // the best row within the budget. A table that fits as written stays as written.
      if (
        narrow.missed < chosen.missed ||
        (narrow.missed === chosen.missed && chosen.overBudget && !narrow.overBudget)
      ) {
        chosen = narrow;
        columns = asked.map((c) => names[c] ?? '');
      }
    }
  }
  const { text, keep, overBudget, missed } = chosen;
  return {
    text,
    rows: table.rows.length,
    kept: keep.size,
    embedded,
    densePending,
    overBudget,
    missed,
    ...(columns ? { columns } : {}),
    ...(negation?.empty ? { emptyColumn: names[negation.column] ?? '' } : {}),
  };
}
