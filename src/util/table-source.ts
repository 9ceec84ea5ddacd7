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
  /**
   * Rows whose cell count differs from the header's (a note typed after the last column), read as
   * rows all the same and written back as they were: the line each starts on (1-based) and its cells.
   */
  ragged: { line: number; cells: number }[];
}

const DELIMITERS = ['\t', ',', ';', '|'] as const;
/** Fewer rows than this under the header: a couple of comma lines are as likely prose. */
const MIN_ROWS = 2;
/**
 * Rows of another width than the header's a table may hold, per row: one, or a tenth of them. A row
 * a cell off is the table's still (review: one row's extra cell made csv-parse reject the file, and
 * every row was dropped as prose); many are a text with commas.
 */
const RAGGED_SHARE = 0.1;

interface RawRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

function tryParse(text: string, delimiter: Table['delimiter']): Table | null {
  let records: RawRecord[] | null = null;
  // Strict quoting first; then a quote inside an unquoted cell as a character (`met at the "Lisbon"
  // conference` in a TSV, whose cells are seldom quoted).
  for (const relax_quotes of [false, true]) {
    try {
      // With `raw`, each record comes with its text as written, with `info` the line it ends on
      // (csv-parse's types follow neither).
      records = parse(text, {
        delimiter,
        raw: true,
        info: true,
        relax_quotes,
        relax_column_count: true,
        skip_empty_lines: true,
        bom: true,
      }) as unknown as RawRecord[];
      break;
    } catch {
      // tried next without strict quotes, or none
    }
  }
  if (!records) return null;
  const width = records[0]?.record.length ?? 0;
  const rows = records.length - 1;
  const ragged = records.filter((r) => r.record.length !== width);
  if (width < 2 || rows - ragged.length < MIN_ROWS || ragged.length > Math.max(1, Math.floor(RAGGED_SHARE * rows)))
    return null;
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
  return {
    delimiter,
    header: head as TableRow,
    rows: rest,
    newline: /\r\n/.test(text) ? '\r\n' : '\n',
    // The line a record starts on: the one it ends on, less the breaks inside it (a quoted cell's).
    ragged: ragged.map((r) => {
      const inside =
        r.raw
          .replace(/^[\r\n]+/, '')
          .replace(/\r?\n?$/, '')
          .split('\n').length - 1;
      return { line: r.info.lines - inside, cells: r.record.length };
    }),
  };
}

/** The text as a table, or null: every record as wide as the header (two columns or more). */
/** Lines after the header looked at before a whole text is parsed as a table. */
const SAMPLE_LINES = 30;

/**
 * Whether the first lines after the header hold as many cells as it, split naively (a quoted cell's
 * delimiter only adds one), in half of them at least: a chat memory whose first line has a comma
 * ("Session 1 (1:56 pm on 8 May, 2023): ...") is no table, and is not parsed whole to learn so (its
 * ragged rows read leniently made every query on a 20k-token memory ~30 ms slower).
 */
function rowsLookAlike(text: string, delimiter: string, width: number): boolean {
  const lines = text
    .split(/\r?\n/, SAMPLE_LINES + 1)
    .slice(1)
    .filter((l) => l.trim());
  if (!lines.length) return false;
  // A quarter: rows whose quoted cells run over lines (notes of two or three lines) leave their
  // other lines short (review: such a CSV was refused at a half).
  return lines.filter((l) => cellCount(l, delimiter) >= width).length * 4 >= lines.length;
}

/** The cells of one line, a delimiter inside double quotes not counted. */
function cellCount(line: string, delimiter: string): number {
  let cells = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) cells++;
  }
  return cells;
}

export function parseTable(text: string): Table | null {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  for (const delimiter of DELIMITERS) {
    // Cheap first: the first line must read as a header, before a long prose memory is parsed.
    const names = first.split(delimiter);
    if (names.length < 2 || names.some((c) => c.length > 42 || /[.!?;]$/.test(c.trim()))) continue;
    // As tryParse decides after parsing (a two-column comma "table" is as often a list written
    // "Monday, gym"), before it: a chat memory's first line with one comma is parsed whole no more.
    // Counted as csv-parse reads them: a quoted header cell ("Amount, USD") is one (review).
    const width = cellCount(first, delimiter);
    if (width < 3 && delimiter !== '\t') continue;
    if (!rowsLookAlike(text, delimiter, width)) continue;
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
