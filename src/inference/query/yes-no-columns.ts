import { terms } from './bm25.ts';
import type { MemoryUnit, ParsedMemory } from './memory-units.ts';
import { isTableGroup, negatedSpans, rowCells } from './negated-values.ts';

/**
 * A question asking which rows of a table have a property its yes/no column states ("Which errors
 * should be retried?" over a "Retry?" column, "Which rooms are accessible?" over "Accessible"): the
 * rows saying yes are the answer, and the rows saying no, which share every other word with it,
 * are what it does not ask for (review 3 F-21: at 0.1 the three "No" rows were kept, the "Yes"
 * rows 429 and 503 were not). The rows saying yes take the best row's place, in their own order, and
 * those saying no go below every other unit; the other way round when the question negates ("Which
 * errors should not be retried?").
 */

/** A cell opening with yes or no, in the languages a table comes in, or a tick or a cross. */
// A lone "y" or "n" only as the whole cell: "N/A" and "n.a." say neither (re-read of session 30).
const YES = /^(?:(?:yes|true|ja|oui|sí|si|sim|✓|✔|✅)(?![\p{L}])|y\s*$)/iu;
const NO = /^(?:(?:no|false|nein|non|não|nee|✗|✘|❌)(?![\p{L}])|n\s*$)/iu;

/** Whether a header's term names the question's: "retry" for "retried" (the stemmer leaves "retri"), "accessible". */
function sameWord(a: string, b: string): boolean {
  const y = (t: string) => t.replace(/i$/, 'y');
  if (a === b || y(a) === y(b)) return true;
  return Math.min(a.length, b.length) >= 5 && (a.startsWith(b) || b.startsWith(a));
}

/** The index of the yes/no column a question names, with each row's answer, or null. */
export function yesNoColumn(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  query: string,
): { column: number; yes: boolean[] } | null {
  const asked = terms(query);
  for (const [column, name] of header.entries()) {
    if (!terms(name).some((h) => asked.some((q) => sameWord(h, q)))) continue;
    const cells = rows.map((r) => (r[column] ?? '').trim());
    const yes = cells.map((c) => YES.test(c));
    const no = cells.map((c) => NO.test(c));
    // Every row answers, both ways: a column of yes and no, not a name that happens to match.
    if (cells.every((_, k) => yes[k] || no[k]) && yes.some(Boolean) && no.some(Boolean)) return { column, yes };
  }
  return null;
}

/** Ranks, in place, the rows of each table whose yes/no column the question names (see above). */
export function rankYesNoRows(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (memory.format === 'dialogue') return;
  const { units } = memory;
  const negated = negatedSpans(query).length > 0;
  for (const g of memory.groups) {
    if (!isTableGroup(g)) continue;
    const rows = g.units.filter((i) => units[i]?.kind === 'code');
    const found = yesNoColumn(
      rowCells(g.header?.split('\n')[0] ?? ''),
      rows.map((i) => rowCells((units[i] as MemoryUnit).text)),
      query,
    );
    if (!found) continue;
    const wanted = rows.filter((_, k) => found.yes[k] !== negated);
    const other = rows.filter((_, k) => found.yes[k] === negated);
    let best = Number.NEGATIVE_INFINITY;
    let bestWanted = Number.NEGATIVE_INFINITY;
    for (const i of rows) best = Math.max(best, score[i] as number);
    for (const i of wanted) bestWanted = Math.max(bestWanted, score[i] as number);
    const lift = Math.max(0, best - bestWanted);
    for (const i of wanted) score[i] = (score[i] as number) + lift;
    let lowest = Number.POSITIVE_INFINITY;
    for (const v of score) lowest = Math.min(lowest, v);
    for (const i of other) score[i] = lowest - 1;
  }
}
