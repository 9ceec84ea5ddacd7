import type { Table } from '../../util/table-source.ts';
import { asksWhich } from './asked-fields.ts';
import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';
import type { TableValueMatch } from './named-rows.ts';
import { rowCells } from './negated-values.ts';
import { askedColumns, project } from './table-columns.ts';

/**
 * A document's Markdown tables read as tables when a question names a value of their rows: the
 * rows holding it (named-rows.ts ranks them first) and, when they do not fit under the whole header,
 * the table cut to the columns the question needs (table-columns.ts, as a CSV memory is), so every
 * row asked for fits, or more of them (review, session 35: a staff roster's 30-token header at 0.2
 * let one of the two rows in Lisbon fit).
 */

export interface NamedTable {
  group: number;
  /** The table's rows (units) holding the most of the values the question names. */
  named: number[];
  /**
   * Cut to the columns the question needs: the header and delimiter rows, and each row, under them.
   * Only its named rows are kept then: the cut was made for them, and the others, cheap now, would
   * fill the room left with rows nobody asked for (review: "Who works in Lisbon?" at 0.2 brought
   * Hamburg's and Berlin's).
   */
  narrow?: { header: string; rows: Map<number, string>; columns: string[]; width: number };
}

const markdownRow = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/**
 * The document's tables with rows the question names, each cut to the columns it needs when that
 * fits more of those rows in the budget (or the header and the first of them, where the whole header
 * left none). Not for a question negating a value: the column it names is the one its rows lack
 * (table-memory.ts). Not for an HTML table: its rows are written as they are.
 */
export function namedTables(
  memory: ParsedMemory,
  query: string,
  matches: readonly TableValueMatch[],
  budget: number,
  count: (text: string) => number,
  headerOf: (group: number) => string | null,
): NamedTable[] {
  const { units, groups } = memory;
  const out: NamedTable[] = [];
  for (const { group, rows, header, cells, weight, whole, negated: spans } of matches) {
    const g = groups[group] as MemoryGroup;
    const [headLine = '', rule = ''] = (g.header ?? '').split('\n');
    // The rows holding the most of what the question names: "the week of Jan 19" names Jan 19's row,
    // not every January row ("jan" alone; review: the cut kept four rows and dropped the Role column).
    let most = 0;
    for (const w of weight) most = Math.max(most, w);
    const order = rows
      .map((_, k) => k)
      .filter((k) => most > 0 && (weight[k] as number) >= most - 1e-9)
      .sort((a, b) => (weight[b] as number) - (weight[a] as number) || (whole[b] as number) - (whole[a] as number));
    if (!order.length) continue;
    const named = order.map((k) => rows[k] as number);
    const entry: NamedTable = { group, named };
    out.push(entry);
    if (spans.length || /<t[hd][\s>]/i.test(headLine) || !rule) continue;
    // The headings above the table come with any row of it, cut or not.
    const above: string[] = [];
    for (let p = g.parent; p !== undefined; p = groups[p]?.parent) above.unshift(headerOf(p) ?? '');
    /**
     * How many of the named rows fit under a header, and whether the header with the first does:
     * counted joined, as the output is (pieces counted apart cost more: a roster's whole row fit at
     * 70 and was cut).
     */
    const fits = (head: string, texts: readonly string[]) => {
      const cost = (rows_: readonly string[]) => count([...above, head, ...rows_].join('\n'));
      const first = cost(texts.slice(0, 1)) <= budget;
      const kept: string[] = [];
      for (const t of texts) if (cost([...kept, t]) <= budget) kept.push(t);
      return { n: kept.length, first };
    };
    const whole_ = fits(
      g.header ?? '',
      named.map((i) => (units[i] as MemoryUnit).text),
    );
    if (whole_.n === named.length && whole_.first) continue;
    const table: Table = {
      delimiter: '|',
      header: { raw: headLine, cells: header },
      rows: cells.map((c, k) => ({ raw: (units[rows[k] as number] as MemoryUnit).text, cells: c })),
      newline: '\n',
      ragged: [],
    };
    // The records are the answer when the question asks which, and when the value it names picks
    // several rows: "What do we buy from OfficeCo?" asks for the three OfficeCo rows, not one of
    // them under the whole header (session 38: at 0.3 one fit, cut to Item and Supplier all three).
    const options = { records: asksWhich(query) || named.length > 1 };
    const picked = (k: number) => (weight[k] as number) >= most - 1e-9;
    // Keyed by its first column; or by the column naming the records asked for ("Which sessions":
    // Session) when that lets more of them fit (session 38: a programme's Time, Session and Room at
    // 0.2 let one of the three Room B sessions fit, Session and Room all three).
    let best: { asked: number[]; head: string; texts: Map<number, string>; n: number } | undefined;
    const ruleCells = rowCells(rule);
    for (const key of [true, false]) {
      const asked = askedColumns(table, query, picked, { ...options, key });
      if (!asked || (best && asked.join() === best.asked.join())) continue;
      const cut = project(table, asked, markdownRow);
      // The delimiter row as the table writes it: `|---|---|` or `| --- | --- |`, alignment kept.
      const ruleOf = asked.map((c) => ruleCells[c] ?? '---');
      const head = `${cut.header.raw}\n${/\|\s/.test(rule) ? markdownRow(ruleOf) : `|${ruleOf.join('|')}|`}`;
      const texts = new Map(rows.map((i, k) => [i, (cut.rows[k] as { raw: string }).raw]));
      const { n } = fits(
        head,
        named.map((i) => texts.get(i) as string),
      );
      if (!best || n > best.n) best = { asked, head, texts, n };
    }
    if (!best) continue;
    // Only for what it brings: a row asked for that the whole header left out, or the header and
    // the first row within the budget, or nearer it (the best row is kept over the budget rather
    // than nothing). A table that fits as written stays as written.
    if (best.n > whole_.n || (best.n === whole_.n && !whole_.first))
      entry.narrow = {
        header: best.head,
        rows: best.texts,
        columns: best.asked.map((c) => header[c] ?? ''),
        width: header.length,
      };
  }
  return out;
}
