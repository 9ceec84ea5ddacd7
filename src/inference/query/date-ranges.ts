import { maxOf } from '../../util/extremes.ts';
import type { ParsedMemory } from './memory-units.ts';
import { queryDates } from './query-cues.ts';
import { liftAbove } from './raise-best.ts';

/** A range's two ends in a cell: "15 Dec - 22 Dec", "2025-12-15 – 2025-12-21", "15 December to 22 December". */
const RANGE_SEPARATOR = /\s+(?:-|–|—|to|until|till|bis|au|al)\s+/i;

/**
 * The day a table row's first cell starts a range on ("| 15 Dec - 22 Dec | Carla Mendes |" starts
 * on 15 December), as queryDates keys it; none for a row whose first cell is no range of days.
 */
function rangeStart(row: string): Set<string> {
  const cell = row.split('|')[1]?.trim() ?? '';
  const ends = cell.split(RANGE_SEPARATOR);
  if (ends.length !== 2) return new Set();
  const [start, end] = ends.map((e) => queryDates(e).days);
  return start?.size === 1 && end?.size === 1 ? start : new Set();
}

/**
 * A question naming a day ("Who is primary on call the week of 15 December?") over a table of
 * ranges (a rota's "8 Dec - 15 Dec", "15 Dec - 22 Dec"): the row whose range starts on that day is
 * the week asked about, and goes first. The row ending on it names the day as well and ranked above
 * (review 3: the 8-15 Dec row was kept and the 15-22 Dec one not; at 0.1 no row at all). Rows keep
 * their order among themselves.
 */
export function rankRangeStarts(score: Float64Array, memory: ParsedMemory, query: string): void {
  const { days } = queryDates(query);
  if (!days.size) return;
  const rows = memory.units.filter(
    (u) => u.kind === 'code' && u.text.startsWith('|') && [...rangeStart(u.text)].some((d) => days.has(d)),
  );
  if (!rows.length) return;
  // maxOf, not Math.max(...score): a spread of 300,000 units overflows the call stack.
  const top = maxOf(score);
  liftAbove(
    score,
    rows.map((u) => u.index),
    top,
  );
}
