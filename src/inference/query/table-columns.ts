import type { Table, TableRow } from '../../util/table-source.ts';
import { terms } from './bm25.ts';
import { comparedNumbers } from './column-comparisons.ts';
import { flowSides } from './money-flow.ts';
import { namesColumn, spelledOut } from './named-columns.ts';
import { WHEN } from './query-cues.ts';

/**
 * The columns of a table a question needs, and the table cut to them: for a CSV or TSV memory
 * (table-memory.ts) and for a Markdown table inside a document (document-tables.ts), whose whole
 * header leaves no room for the rows asked for.
 */

/**
 * The columns a question needs when the whole header leaves no room for its rows (review, session
 * 35: a staff roster's 30-token header at 0.1 let one row of two in Lisbon fit, or none): the first
 * column (whose row it is: a name, a key), the columns the question's words name ("vacation days",
 * "office", "manager") and those holding a value it names ("Lisbon"). Null when its words name no
 * column but the first: a question naming only a value ("What is Priya working on?") does not say
 * which fields answer it, and a row without them is no answer. But with `records` (a question asking
 * which records hold a value: "Who works in Lisbon?"), the records are the answer: their first
 * column, with the columns holding the value that picked them, is what it needs. With `key` false,
 * the column naming the records asked for ("Which sessions": Session) stands for the first one.
 */
export function askedColumns(
  table: Table,
  query: string,
  named: (row: number) => boolean,
  {
    records: asksRecords = false,
    label = true,
    key = true,
  }: { records?: boolean; label?: boolean; key?: boolean } = {},
): number[] | null {
  // A word of the first column's name names the records, not a field: "Which issues are blocked?"
  // of an export keyed by "Issue key" does not ask for its "Issue Type".
  const records = new Set(terms(table.header.cells[0] ?? ''));
  const wanted = new Set(terms(query).filter((t) => !records.has(t)));
  // A column is named for the one who does what the question asks: "owns" names Owner, "reviews"
  // Reviewer, "manages" Manager, "assigned" Assignee (found by use: "Who owns the ledger?" kept a
  // Runbook column whose path held "ledger", and not the Owner's).
  const doerOf = (name: string) => terms(name).some((t) => agentStems(t).some((stem) => wanted.has(stem)));
  const width = table.header.cells.length;
  const out = new Set<number>([0]);
  let byName = false;
  // A when-question names the columns that say when ("When does Dr. Patel speak?": Day and Time);
  // found by use, a schedule cut to Day and Speaker left the hour out.
  const when = WHEN.test(query);
  table.header.cells.forEach((name, c) => {
    if (c > 0 && (namesColumn(spelledOut(name, query), wanted) || doerOf(name) || (when && saysWhen(name)))) {
      out.add(c);
      byName = true;
    }
  });
  // "Which payments were over 100?" names the column of amounts it compares (money-flow.ts).
  if (comparedNumbers(query).length)
    for (const { c } of flowSides(
      table.header.cells,
      table.rows.map((r) => r.cells),
      query,
    )) {
      out.add(c);
      byName = true;
    }
  if (!byName && !asksRecords) return null;
  // A row keyed by a code ("HW-1004", "SKU 118") comes with the column naming what it is (name,
  // item, product, title, description): "Which items are out of stock?" of an inventory cut to sku,
  // stock and reorder level answered with codes alone (session 39).
  const labelAt = table.header.cells.findIndex((name, c) => c > 0 && LABEL_COLUMN.test(name.replace(/_/g, ' ')));
  if (label && labelAt > 0 && table.rows.every((r) => CODE.test((r.cells[0] ?? '').trim()))) out.add(labelAt);
  // A value the row's first column already shows needs no other column to show it again ("Who owns
  // the ledger?": the row keyed "ledger", not its Runbook "runbooks/ledger.md").
  const showsNew = (r: TableRow, cell: string) => {
    const key = new Set(terms(r.cells[0] ?? ''));
    return terms(cell).some((t) => wanted.has(t) && !key.has(t));
  };
  // Nor, when a column named by name shows it, another column holding it too: "on nights on Sunday"
  // asks for the Sun column's Night, not for the Sat column where one of those rows has a night too.
  const shows = (c: number) => table.rows.some((r, k) => named(k) && showsNew(r, r.cells[c] ?? ''));
  if (![...out].some((c) => c > 0 && shows(c))) for (let c = 1; c < width; c++) if (shows(c)) out.add(c);
  // Without the first column (key false): the column naming the records asked for says whose row
  // it is ("Which sessions ...": Session, not a programme's Time).
  const noun = new Set(terms(RECORDS_NOUN.exec(query)?.[1] ?? ''));
  const keyed = key ? -1 : table.header.cells.findIndex((name, c) => c > 0 && terms(name).some((t) => noun.has(t)));
  if (keyed > 0) {
    out.add(keyed);
    out.delete(0);
  }
  return out.size > 1 && out.size < width ? [...out].sort((a, b) => a - b) : null;
}

/** The records a question asks for: the noun after "which" or "what" ("Which sessions ..."). */
const RECORDS_NOUN = /^\s*(?:which|what)\s+([\p{L}-]+)/iu;

/** A cell that is a code: one word of letters, digits and dashes, holding a digit. */
const CODE = /^(?=[^\s]*\d)[\p{L}\d][\p{L}\d._/-]*$/u;
/** A column naming what a row is. */
const LABEL_COLUMN = /^(?:(?:item|product|article|part)(?:\s+name)?|name|title|description|desc)$/i;

/** A column's name that says when: "Date", "Time (CET)", "Start", "Due". */
const WHEN_COLUMN =
  /(?<![\p{L}])(?:date|dates|day|days|time|times|when|start|starts|end|ends|begins?|hours?|deadline|due|month|week|year|period|slot|until)(?![\p{L}])/iu;
const saysWhen = (name: string) => WHEN_COLUMN.test(name);

/**
 * The verb stems an agent noun may come from, as `terms` writes them: every cut of its ending, since
 * "manager" is "manage" + "r" as "owner" is "own" + "er" (the shortest cut alone, "manag", missed
 * "Who manages the New York office?": session 38).
 */
const agentStems = (noun: string): string[] =>
  AGENT_ENDINGS.filter((e) => noun.length - e.length >= 3 && noun.endsWith(e)).map((e) => noun.slice(0, -e.length));
const AGENT_ENDINGS = ['er', 'or', 'r', 'ee', 'e'];

/** A cell written back: quoted when it holds the delimiter, a quote or a line break (RFC 4180). */
function writeCell(cell: string, delimiter: string): string {
  return cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/**
 * The table with only the given columns, its rows written back cell by cell: as delimited text, or
 * by `write` (a Markdown row: `| a | b |`).
 */
export function project(
  table: Table,
  columns: readonly number[],
  write: (cells: readonly string[]) => string = (cells) =>
    cells.map((c) => writeCell(c, table.delimiter)).join(table.delimiter),
): Table {
  const row = (r: TableRow): TableRow => {
    const cells = columns.map((c) => r.cells[c] ?? '');
    return { cells, raw: write(cells) };
  };
  return { ...table, header: row(table.header), rows: table.rows.map(row) };
}
