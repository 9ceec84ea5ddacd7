import { parse } from 'csv-parse/sync';

/**
 * A delimited table (CSV, TSV) as its header and rows, each row with its text as written, so a
 * selection of rows is written back byte for byte: quotes, escapes and line breaks inside a quoted
 * cell as they were.
 */

export interface TableRow {
  /** The row as written, without the line break that ends it. */
  raw: string;
  cells: string[];
}

export interface Table {
  delimiter: ',' | '\t' | ';' | '|';
  header: TableRow;
  rows: TableRow[];
  /** The line break the table uses. */
  newline: string;
}

const DELIMITERS = ['\t', ',', ';', '|'] as const;
/** Fewer rows than this under the header: a couple of comma lines are as likely prose. */
const MIN_ROWS = 2;

function tryParse(text: string, delimiter: Table['delimiter']): Table | null {
  let records: { record: string[]; raw: string }[] | null = null;
  // Strict quoting first; then a quote inside an unquoted cell as a character (`met at the "Lisbon"
  // conference` in a TSV, whose cells are seldom quoted).
  for (const relax_quotes of [false, true]) {
    try {
      // With `raw`, each record comes with its text as written (csv-parse's types do not follow it).
      records = parse(text, {
        delimiter,
        raw: true,
        relax_quotes,
        skip_empty_lines: true,
        bom: true,
      }) as unknown as { record: string[]; raw: string }[];
      break;
    } catch {
      // tried next without strict quotes, or none
    }
  }
  if (!records) return null;
  const width = records[0]?.record.length ?? 0;
  if (width < 2 || records.length < MIN_ROWS + 1 || records.some((r) => r.record.length !== width)) return null;
  const [head, ...rest] = records.map((r) => ({
    raw: r.raw.replace(/^[\r\n]+/, '').replace(/\r?\n?$/, ''),
    cells: r.record,
  }));
  // A header names columns: short cells, none a sentence, none a statement of code, some with a
  // letter, one left empty at most (an index column's). A column empty on every row is the end of
  // lines that end in the delimiter (`a + b;`), no column.
  const cells = (head as TableRow).cells;
  // Two columns with a comma are as often a list written "Monday, gym" as a table: three at least,
  // but for tabs. A row of dashes is a Markdown table's delimiter row, not data.
  if (width < 3 && delimiter !== '\t') return null;
  if (records.some((r) => r.record.every((c) => /^\s*:?-+:?\s*$/.test(c)))) return null;
  if (cells.some((c) => (c.match(/\S+/g) ?? []).length > 4)) return null;
  if (
    cells.some((c) => c.length > 40 || /[.!?;]$|[{}]|=>|==|\s=\s/.test(c.trim())) ||
    !cells.some((c) => /\p{L}/u.test(c)) ||
    cells.filter((c) => !c.trim()).length > 1 ||
    cells.some((_, k) => records.every((r) => !r.record[k]?.trim()))
  )
    return null;
  return { delimiter, header: head as TableRow, rows: rest, newline: /\r\n/.test(text) ? '\r\n' : '\n' };
}

/** The text as a table, or null: every record as wide as the header (two columns or more). */
export function parseTable(text: string): Table | null {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  for (const delimiter of DELIMITERS) {
    // Cheap first: the first line must read as a header, before a long prose memory is parsed.
    const names = first.split(delimiter);
    if (names.length < 2 || names.some((c) => c.length > 42 || /[.!?;]$/.test(c.trim()))) continue;
    const table = tryParse(text, delimiter);
    if (table) return table;
  }
  return null;
}

/** The table's header and the rows kept (by index, in the table's order), as written. */
export function emitTable(table: Table, keep: ReadonlySet<number>): string {
  const rows = table.rows.filter((_, i) => keep.has(i)).map((r) => r.raw);
  return [table.header.raw, ...rows].join(table.newline);
}
