import { type Change, diffLines, diffWordsWithSpace } from 'diff';

/** A run of text with the classes that apply to all of it. */
export interface Segment {
  text: string;
  cls: string;
}
export type Line = Segment[];

/** A range of one text to mark, in that text's UTF-16 offsets (end exclusive). */
export interface Mark {
  start: number;
  end: number;
}

/** Past this many characters together a word diff costs too much: the texts are shown plain. */
export const DIFF_LIMIT = 400_000;

/**
 * A word diff anchored on whole lines: lines the two texts share are matched first, and only the
 * runs between them are diffed word by word. A selection that keeps lines as written (a diff, a
 * config, code, a log) then shows each dropped line struck whole; a plain word diff matched a kept
 * line's words across its neighbours ("+export const" of one line, "MAX_COUPONS = 2;" of the next:
 * found by use, on a git diff in Try a compression). Where no line is shared (telegraphic prose) it
 * is the word diff of the whole text, as before.
 */
export function wordDiff(original: string, compressed: string): Change[] | null {
  if (original.length + compressed.length > DIFF_LIMIT) return null;
  // Both texts end in a newline while lines are matched, so a kept last line matches its original;
  // the newline added is taken back after.
  const paddedOriginal = !original.endsWith('\n');
  const paddedCompressed = !compressed.endsWith('\n');
  const out: Change[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed && added) out.push(...diffWordsWithSpace(removed, added));
    else if (removed) out.push(change(removed, 'removed'));
    else if (added) out.push(change(added, 'added'));
    removed = '';
    added = '';
  };
  for (const part of diffLines(
    paddedOriginal ? `${original}\n` : original,
    paddedCompressed ? `${compressed}\n` : compressed,
  )) {
    if (part.removed) removed += part.value;
    else if (part.added) added += part.value;
    else if (!part.value.trim() && (removed || added)) {
      // Blank lines are no anchor: matched, they split a paragraph's telegraphic line from its
      // original (the blank above one paired with the blank below the other), and neither showed a
      // word kept. Inside a run they go to the word diff with it.
      removed += part.value;
      added += part.value;
    } else {
      flush();
      out.push(part);
    }
  }
  flush();
  if (paddedOriginal) dropLastNewline(out, 'removed');
  if (paddedCompressed) dropLastNewline(out, 'added');
  return out.filter((p) => p.value !== '');
}

function change(value: string, side: 'removed' | 'added' | 'common'): Change {
  return { value, added: side === 'added', removed: side === 'removed', count: 1 };
}

/**
 * Takes back the newline `wordDiff` added to one side: it ends the last part holding that side's
 * text. A shared part keeps its text and gives the newline to the other side alone.
 */
function dropLastNewline(parts: Change[], side: 'removed' | 'added'): void {
  const other = side === 'removed' ? 'added' : 'removed';
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if (!p || p[other]) continue;
    const value = p.value.endsWith('\n') ? p.value.slice(0, -1) : p.value;
    if (p[side]) parts[i] = change(value, side);
    else parts.splice(i, 1, change(value, 'common'), change('\n', other));
    return;
  }
}

const CHANGED = 1;
const DROPPED = 2;

/**
 * Splits a text into lines of segments classed by flags: `changed` (what only this side has: struck
 * on the original, added on the compression) and `dropped` (a protected span the compression lost).
 */
export function toLines(text: string, changed: readonly Mark[], dropped: readonly Mark[] = []): Line[] {
  const flags = new Uint8Array(text.length);
  for (const m of changed) flags.fill(CHANGED, Math.max(0, m.start), Math.min(text.length, m.end));
  for (const m of dropped) {
    for (let i = Math.max(0, m.start); i < Math.min(text.length, m.end); i++) flags[i] = (flags[i] ?? 0) | DROPPED;
  }
  const lines: Line[] = [[]];
  let start = 0;
  const cls = (f: number) => [f & CHANGED ? 'chg' : '', f & DROPPED ? 'drop' : ''].filter(Boolean).join(' ');
  const flush = (end: number) => {
    if (end > start) lines[lines.length - 1]?.push({ text: text.slice(start, end), cls: cls(flags[start] ?? 0) });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      flush(i);
      start = i + 1;
      lines.push([]);
    } else if (i > start && flags[i] !== flags[i - 1]) {
      flush(i);
    }
  }
  flush(text.length);
  return lines;
}

/** Offsets of each line's first character. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

/** The line holding an offset (binary search over line starts). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface SideMarks {
  original: Mark[];
  compressed: Mark[];
  /** For each original line, the compressed line where the same text continues. */
  originalToCompressed: number[];
  /** For each compressed line, the original line it came from. */
  compressedToOriginal: number[];
}

/**
 * What each side of a word diff marks, and a line map between the two texts built from the text
 * they share: a line maps to the line where its first shared character sits on the other side
 * (or where the last shared text before it ended), so scrolling one pane can align the other.
 */
export function sideMarks(original: string, compressed: string, parts: readonly Change[] | null): SideMarks {
  const oStarts = lineStarts(original);
  const cStarts = lineStarts(compressed);
  const orig: Mark[] = [];
  const comp: Mark[] = [];
  // Shared runs: [original offset, compressed offset, length].
  const shared: [number, number, number][] = [];
  let o = 0;
  let c = 0;
  for (const p of parts ?? []) {
    const n = p.value.length;
    if (p.removed) {
      orig.push({ start: o, end: o + n });
      o += n;
    } else if (p.added) {
      comp.push({ start: c, end: c + n });
      c += n;
    } else {
      shared.push([o, c, n]);
      o += n;
      c += n;
    }
  }
  const map = (starts: number[], other: number[], from: 0 | 1, total: number, otherTotal: number): number[] => {
    if (!parts) {
      // No diff: align by proportion.
      return starts.map((s) => lineOf(other, total ? Math.round((s / total) * otherTotal) : 0));
    }
    const to = from === 0 ? 1 : 0;
    const out: number[] = [];
    let k = 0;
    for (const s of starts) {
      while (k + 1 < shared.length && (shared[k + 1]?.[from] ?? 0) <= s) k++;
      const run = shared[k];
      if (!run || run[from] > s) {
        out.push(0);
        continue;
      }
      const into = Math.min(s - run[from], run[2]);
      out.push(lineOf(other, run[to] + into));
    }
    return out;
  };
  return {
    original: orig,
    compressed: comp,
    originalToCompressed: map(oStarts, cStarts, 0, original.length, compressed.length),
    compressedToOriginal: map(cStarts, oStarts, 1, compressed.length, original.length),
  };
}
