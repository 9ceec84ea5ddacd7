/** A line of a text: its offsets (without the line break) and its text (a CRLF's CR kept). */
export interface Line {
  start: number;
  end: number;
  text: string;
}

/**
 * The lines of a text, in order, the last one after the last break included. Its own module: the
 * memory's readers (inference/query/memory-units.ts), the record readers it tries first
 * (calendar-records.ts) and the diff reader (unified-diff.ts) all read lines, and none may import
 * another's.
 */
export function linesOf(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    out.push({ start, end, text: text.slice(start, end) });
    if (nl === -1) return out;
    start = nl + 1;
  }
}
