import { asksWhich } from './asked-fields.ts';
import { terms } from './bm25.ts';
import type { MemoryUnit, ParsedMemory } from './memory-units.ts';
import { isTableGroup, negatedSpans, rowCells } from './negated-values.ts';
import { valueMatches } from './value-matches.ts';

/**
 * A document's Markdown and HTML tables read by the CSV path's rule (value-matches.ts, as table-memory.ts):
 * a row holding a value the question names comes first, the rarer the value among the rows the
 * sooner. Ranked as prose lines, a team roster's rows were told apart by their words alone (review:
 * "Who is on call the week of Jan 19?" kept the row of the one on call Feb 2, whose note spoke of
 * call duty; "19" is in one row only). The rows naming a value take the place of the table's best
 * row, in order of what they hold, then of their own score; the other rows keep theirs. A table's
 * header row comes with any row kept (select.ts: a unit brings its group's heading).
 *
 * The rows holding the most of what is named go above more than the table (session 38): above every
 * line that names none of those values (a paragraph about the swim club's weekends kept, the second
 * "Saturday morning" row not), and above every line when the rows are the answer's fields: the
 * question names a column of the table ("Who coaches ...": Coach) or asks which records ("Which
 * sessions are in Room B?": at a tenth the title and the paragraph saying where Room B is were kept,
 * no row).
 */
export function rankNamedRows(
  score: Float64Array,
  memory: ParsedMemory,
  query: string,
  matches: readonly TableValueMatch[],
): void {
  if (!matches.length) return;
  const asked = new Set(terms(query));
  const records = asksWhich(query);
  const unitTerms = memory.units.map((u) => new Set(terms(u.text)));
  for (const { rows, header, weight, whole, values } of matches) {
    const named = rows
      .map((i, k) => ({ i, w: weight[k] as number, whole: whole[k] as number }))
      .filter((r) => r.w > 0)
      .sort((a, b) => b.w - a.w || b.whole - a.whole || (score[b.i] as number) - (score[a.i] as number));
    if (!named.length) continue;
    let best = Number.NEGATIVE_INFINITY;
    for (const i of rows) best = Math.max(best, score[i] as number);
    const most = (named[0] as { w: number }).w;
    const inTable = new Set(rows);
    const answers = records || header.slice(1).some((c) => terms(c).some((t) => asked.has(t)));
    const namesValue = (i: number) => values.some((v) => v.every((t) => unitTerms[i]?.has(t)));
    let top = best;
    score.forEach((s, i) => {
      if (!inTable.has(i) && (answers || !namesValue(i) || asksBack(memory.units[i]?.text ?? '', values)))
        top = Math.max(top, s);
    });
    // Just above the best row (the rows holding the most: above the lines they outrank), a hair
    // apart, in the order above: the rest of the memory ranks as it did.
    named.forEach((r, at) => {
      score[r.i] = (r.w >= most - 1e-9 ? top : best) + (named.length - at) * STEP;
    });
  }
}

/**
 * A line naming the values asked for only in questions: it is the question again, not its answer
 * (session 39: an email's quoted "Could you requote the brochure for 1,000 and 2,500 copies? The
 * client may also want ..." stayed above the quote's 2,500 row for "How much would 2,500 brochures
 * cost?").
 */
function asksBack(text: string, values: readonly string[][]): boolean {
  const naming = text.split(/(?<=[.?!]["'”’)]*)\s+/).filter((sentence) => {
    const held = new Set(terms(sentence));
    return values.some((v) => v.every((t) => held.has(t)));
  });
  return naming.length > 0 && naming.every((sentence) => /\?["'”’)]*$/.test(sentence.trim()));
}

/** A document's table (a group of two rows or more) with what the question names in each row. */
export interface TableValueMatch {
  group: number;
  /** Its rows' units, in order. */
  rows: number[];
  /** Its header's cells, and each row's. */
  header: string[];
  cells: string[][];
  /** Per row, as valueMatches gives them. */
  weight: Float64Array;
  whole: Float64Array;
  /** The question's negated spans (a value a negation reaches is no value named). */
  negated: string[][];
  /** The values the question names that some row holds (value-matches.ts), each as its terms. */
  values: string[][];
}

/**
 * Each table of a document, its rows matched against the values the question names
 * (value-matches.ts): what rankNamedRows ranks by and document-tables.ts cuts by. None in a dialogue.
 */
export function tableValueMatches(memory: ParsedMemory, query: string): TableValueMatch[] {
  if (memory.format === 'dialogue') return [];
  const { units } = memory;
  // Values a negation reaches are no values named (negated-values.ts ranks their rows).
  const negated = negatedSpans(query);
  const negatedTerms = [...new Set(negated.flatMap((span) => span.flatMap((w) => terms(w))))];
  const out: TableValueMatch[] = [];
  memory.groups.forEach((g, group) => {
    if (!isTableGroup(g)) return;
    const rows = g.units.filter((i) => units[i]?.kind === 'code');
    if (rows.length < 2) return;
    const header = rowCells(g.header?.split('\n')[0] ?? '');
    const cells = rows.map((i) => rowCells((units[i] as MemoryUnit).text));
    out.push({ group, rows, header, cells, ...valueMatches(header, cells, query, negatedTerms), negated });
  });
  return out;
}

/** How far apart the rows naming a value are put: below any difference relevance makes. */
const STEP = 1e-6;
