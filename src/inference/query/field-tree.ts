/**
 * A tool's report written as indented `Key:   value` fields (`kubectl describe`, `systemctl status`,
 * `docker info`): a tree of fields, each field line a record kept as written under the keys it
 * sits in. Read as a chat, every "Key:" was a speaker's turn, the values were telegraphed, and a
 * value kept alone did not say what it was the value of (review, session 32: "What is the memory
 * limit of the container?" never kept "Limits: ... memory: 512Mi").
 */

import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';
import { fieldNames } from './speaking-labels.ts';

/**
 * A field's line: its indentation, its key, the colon, and its value after spaces (none for a section).
 * The value runs greedily to its last non-space: a lazy one tried "[ \t]*$" after each character,
 * quadratic on a line with a long run of spaces (20,000: 0.3 s).
 */
const FIELD =
  /^(?<indent>[ \t]*)(?<key>[\p{L}_][\p{L}\p{N} ._()/-]{0,40}?):(?:(?<pad>[ \t]+)(?<value>\S(?:.*\S)?))?[ \t]*$/u;

/** The rule under a table's column names: "----     ------     ---". */
const COLUMN_RULE = /^[ \t]*-{2,}(?:[ \t]+-{2,})+[ \t]*$/;

interface Row {
  start: number;
  end: number;
  /** The line as written, without the spaces at its end. */
  text: string;
  indent: number;
  key?: string;
  /** Where the colon stands: fields aligned on it are siblings ("     Loaded:" / "       Docs:"). */
  colon?: number;
  value?: string;
}

function rowsOf(text: string): Row[] {
  const out: Row[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trimEnd();
    const m = FIELD.exec(line);
    const indent = line.length - line.trimStart().length;
    const row: Row = { start, end: start + line.length, text: line, indent };
    if (m?.groups?.key) {
      row.key = m.groups.key;
      row.colon = indent + m.groups.key.length;
      if (m.groups.value) row.value = m.groups.value;
    }
    out.push(row);
    start += raw.length + 1;
  }
  return out;
}

/**
 * Whether a text is such a report: most of its lines fields, aligned as a tool aligns them and a
 * person does not ("Topic: ..." with one space): three values or more set apart by padding
 * (kubectl's), three keys or more right-aligned on one colon (systemctl's), or three fields or more
 * indented under a key alone in a text of fields (docker info's "Server:" over " Containers: 12").
 */
export function isFieldTree(text: string): boolean {
  const rows = rowsOf(text).filter((r) => r.text.trim());
  if (rows.length < 6) return false;
  const fields = rows.filter((r) => r.key !== undefined);
  if (fields.length * 2 < rows.length || !fields.some((r) => r.indent > 0)) return false;
  // An interview pasted indented, its names padded to one column ("  Dana:      We moved to Lisbon."),
  // is aligned as a tool aligns its fields, but its labels speak (speaking-labels.ts): a chat, whose
  // turns read as fields lost their dialogue (re-read of session 33).
  const notFields = fieldNames(fields.map((r) => ({ name: r.key as string, value: r.value ?? '', chat: false })));
  if (fields.filter((r) => !notFields.has((r.key as string).trim().toLowerCase())).length * 2 >= fields.length)
    return false;
  const padded = fields.filter((r) => r.value !== undefined && /:[ \t]{2,}\S/.test(r.text));
  if (padded.length >= 3) return true;
  const byColon = new Map<number, Set<number>>();
  const onColon = new Map<number, number>();
  for (const r of fields) {
    const c = r.colon as number;
    byColon.set(c, (byColon.get(c) ?? new Set()).add(r.indent));
    onColon.set(c, (onColon.get(c) ?? 0) + 1);
  }
  if ([...byColon].some(([c, indents]) => indents.size >= 2 && (onColon.get(c) ?? 0) >= 3)) return true;
  let under = 0;
  let section = -1;
  for (const r of rows) {
    if (r.key !== undefined && r.value === undefined) section = r.indent;
    else if (r.key !== undefined && section >= 0 && r.indent > section) under++;
    else if (r.indent <= section) section = -1;
  }
  return under >= 3 && fields.length * 10 >= rows.length * 7;
}

/** A row's cells: what stands between runs of two spaces or more. */
const cells = (row: Row): string[] => row.text.trim().split(/[ \t]{2,}/);

/**
 * Whether a row is the column names of the rows under it, with no rule between (kubectl's
 * "Conditions:" over "  Type              Status" over "  Ready             True"): the first
 * line of its section, two cells or more of words and no figure, and the next row as many cells at
 * its indentation, no field.
 */
function columnNames(row: Row, next: Row, section: Section, groups: readonly MemoryGroup[]): boolean {
  if (section.heading === undefined || section.body !== section.heading || groups[section.body]?.units.length)
    return false;
  const names = cells(row);
  if (names.length < 2 || /\d/.test(row.text) || !names.every((c) => /^\p{L}[\p{L} ]*$/u.test(c))) return false;
  return next.key === undefined && next.indent === row.indent && cells(next).length === names.length;
}

/** A section the rows below sit in: its indentation, the group holding its heading, the group its rows go in now. */
interface Section {
  indent: number;
  heading: number | undefined;
  body: number;
}

/** A Markdown code fence's line (```, ~~~): what it fences goes on reading as fields, the fence is none. */
const FENCE_LINE = /^[ \t]*(?:`{3,}|~{3,})/;

/** The report read as a tree of fields, or null when the text is none (isFieldTree). */
export function parseFieldTree(text: string): ParsedMemory | null {
  if (!isFieldTree(text)) return null;
  const rows = rowsOf(text);
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  const open = (header: string | null, parent: number | undefined): number => {
    groups.push({ header, headerDate: null, units: [], ...(parent !== undefined ? { parent } : {}) });
    return groups.length - 1;
  };
  const root: Section = { indent: -1, heading: undefined, body: -1 };
  const stack: Section[] = [root];
  const top = () => stack.at(-1) as Section;
  /** The group the next row goes in: its section's, or one after a subsection that ended, still in the section. */
  const body = (): number => {
    const s = top();
    if (s.body < 0) s.body = open(null, s.heading);
    return s.body;
  };
  const push = (row: Row): MemoryUnit => {
    const group = body();
    const u: MemoryUnit = {
      index: units.length,
      start: row.start,
      end: row.end,
      // As written, its indentation too: a kept field still reads under the keys above it.
      text: row.text,
      kind: 'code',
      speaker: null,
      group,
      turn: units.length,
      label: null,
      first: true,
      pinned: false,
    };
    units.push(u);
    groups[group]?.units.push(u.index);
    return u;
  };
  /** The last field with a value: lines indented under it go on its value ("Labels:  app=x" / "   tier=web"). */
  let last: { row: Row; unit: MemoryUnit } | null = null;
  /** A table's rows under their column names (an "Events:" section), while they last. */
  let table: { indent: number; group: number } | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (!row.text.trim() || FENCE_LINE.test(row.text)) {
      // A blank line ends every section: what follows is another part of the report. So does a
      // Markdown code fence, no unit: notes holding a compose file in a fence read as a tree, and
      // a fence kept as a line of its own was left open or closed nothing (review, session 34:
      // "```dockerfile" kept with no closing fence, the YAML after it inside it).
      stack.length = 1;
      root.body = -1;
      last = null;
      table = null;
      continue;
    }
    while (stack.length > 1 && top().indent >= row.indent) {
      stack.pop();
      top().body = -1;
    }
    if (table && (row.indent < table.indent || row.key !== undefined)) table = null;
    if (table && row.indent >= table.indent) {
      const u = push(row);
      // A table's row goes in the group under its column names, not its section's.
      groups[u.group]?.units.pop();
      u.group = table.group;
      groups[table.group]?.units.push(u.index);
      continue;
    }
    const next = rows[i + 1];
    const ruled = next !== undefined && COLUMN_RULE.test(next.text);
    if (row.key === undefined && next && (ruled || columnNames(row, next, top(), groups))) {
      // A table's column names (and their rule) head its rows, so a kept row still says which column is which.
      const header = ruled ? `${row.text}\n${next.text}` : row.text;
      const group = open(header, top().heading ?? (top().body >= 0 ? top().body : undefined));
      table = { indent: row.indent, group };
      last = null;
      if (ruled) i++;
      continue;
    }
    if (row.key !== undefined && row.value === undefined) {
      // A key alone heads the fields indented under it ("Limits:" over "memory:  512Mi").
      const heading = open(row.text, top().heading);
      stack.push({ indent: row.indent, heading, body: heading });
      last = null;
      continue;
    }
    if (last && row.indent > last.row.indent) {
      if (row.key !== undefined && row.colon !== last.row.colon) {
        // A field under a field with a value ("Last State:  Terminated" over "Reason:  OOMKilled"):
        // its own record, which brings the field above it when kept.
        const group = open(null, top().heading);
        (groups[group] as MemoryGroup).lead = last.unit.index;
        stack.push({ indent: last.row.indent, heading: top().heading, body: group });
      } else if (row.key === undefined) {
        // The value goes on over this line: one record.
        const u = last.unit;
        u.end = row.end;
        u.text = text.slice(u.start, u.end);
        continue;
      }
    }
    const u = push(row);
    last = row.value !== undefined ? { row, unit: u } : null;
  }
  return { text, format: 'prose', tree: true, units, groups };
}
