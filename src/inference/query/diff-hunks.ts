/**
 * A unified diff selected for a question: each line a unit kept as written, its `+`/`-`/space mark
 * and indentation too, under its hunk's `@@` line and its file's header (groups, the hunk's parent
 * the file), so a kept line always says in which file and where it stands. A removed line and the
 * added line replacing it (the i-th `-` and the i-th `+` of a run of changes) are one unit: "changed
 * to" needs both. Read as prose, the diff's lines were joined, telegraphed and stripped of their
 * marks, and "What was the maximum number of items changed to?" never kept
 * `+export const MAX_ITEMS = 100;` (review s35 h3).
 */

import { maxOf } from '../../util/extremes.ts';
import { type DiffLine, lineChange, marksOf, parseUnifiedDiff } from '../../util/unified-diff.ts';
import { pushCodeUnit } from './code-units.ts';
import { FENCE } from './exact-spans.ts';
import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

const bare = (text: string) => text.replace(/\r$/, '');
/** A changed line (removed or added): what a diff is read for. */
const isChanged = (text: string, marks: number): boolean => {
  const change = lineChange(text, marks);
  return change === 'removed' || change === 'added';
};

/** A line's words (identifiers, numbers), without its marks. */
const wordsOf = (lines: readonly DiffLine[], marks: number): Set<string> =>
  new Set(
    lines.flatMap(
      (l) =>
        bare(l.text)
          .slice(marks)
          .toLowerCase()
          .match(/[\p{L}\p{N}_]+/gu) ?? [],
    ),
  );

/**
 * A run's removed and added lines as units, in the diff's order: each removed line with the added
 * line sharing most of its words after the last one paired (a line and its replacement), the others
 * alone. Paired by place, `if days_late <= 0:` went with the comment added above its replacement.
 * In a combined diff (a merge, `marks` > 1) each parent's removed line goes with the one line the
 * merge kept: paired one to one, `-     port: 8080,` took `++    port: 9000,` and ` -    port: 3000,`
 * was kept alone for "What port does the server listen on after the merge?".
 */
function paired(removed: readonly DiffLine[][], added: readonly DiffLine[][], marks: number): DiffLine[][] {
  const out: DiffLine[][] = [];
  const addedWords = added.map((a) => wordsOf(a, marks));
  let next = 0;
  /** The unit holding the added line last paired, and that line's index. */
  let last: { unit: DiffLine[]; added: number } | null = null;
  for (const r of removed) {
    const words = wordsOf(r, marks);
    let best = -1;
    let shared = 0;
    // A merge's next parent line may go with the merged line last paired: looked for from it.
    for (let k = marks > 1 && last ? last.added : next; k < added.length; k++) {
      let n = 0;
      for (const w of addedWords[k] as Set<string>) if (words.has(w)) n++;
      if (n > shared) {
        shared = n;
        best = k;
      }
    }
    if (best < 0) {
      out.push(r);
      continue;
    }
    if (last && last.added === best) {
      // Another parent's line the same merged line replaces: with the other removed lines, above it.
      last.unit.splice(last.unit.length - (added[best] as DiffLine[]).length, 0, ...r);
      continue;
    }
    // The added lines before its replacement stand alone, above it: the lines kept still apply in
    // the file's order (`+ # comment`, `- if x <= 0:`, `+ if x <= 3:`).
    for (let k = next; k < best; k++) out.push(added[k] as DiffLine[]);
    const unit: DiffLine[] = [...r, ...(added[best] as DiffLine[])];
    out.push(unit);
    last = { unit, added: best };
    // The first added line not yet in a unit: in a merge, from it, the line last paired came back
    // alone above the next pair (printed twice, session 38 rr).
    next = best + 1;
  }
  for (let k = next; k < added.length; k++) out.push(added[k] as DiffLine[]);
  return out;
}

/**
 * The diff as units under their hunks and files, or null when the text is no unified diff, nor one
 * quoted in a text `quotedIn` accepts its lines outside the diff as (a chat's turns).
 */
export function parseDiffMemory(text: string, quotedIn?: (outside: readonly string[]) => boolean): ParsedMemory | null {
  const diff = parseUnifiedDiff(text, quotedIn ? { quotedIn } : {});
  if (!diff) return null;
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  const open = (header: string | null, parent?: number): number =>
    groups.push({ header, headerDate: null, units: [], ...(parent !== undefined ? { parent } : {}) }) - 1;
  /** One unit of these lines, as written (without a CRLF's CR), one under the other. */
  const push = (lines: readonly DiffLine[], group: number) => {
    const first = lines[0] as DiffLine;
    pushCodeUnit(units, groups, {
      start: first.start,
      end: (lines[lines.length - 1] as DiffLine).end,
      text: lines.map((l) => bare(l.text)).join('\n'),
      group,
    });
  };
  /**
   * Lines outside the files (a message, a signature), each a unit of a group of their own, but for a
   * fence's lines around the diff (```diff in a document): kept alone, the opening one left the rest
   * of the output a code block never closed, and neither says anything a question asks for.
   */
  const outside = (lines: readonly DiffLine[]) => {
    const said = lines.filter((l) => !FENCE.test(l.text));
    if (!said.length) return;
    const g = open(null);
    for (const l of said) push([l], g);
  };
  outside(diff.preamble);
  for (const file of diff.files) {
    // What stands between two files (a second patch's message) stays where it stands.
    outside(file.before);
    const f = open(file.header.map((l) => bare(l.text)).join('\n'));
    for (const hunk of file.hunks) {
      const g = open(bare(hunk.header.text), f);
      const lines = hunk.lines;
      const change = (l: DiffLine) => lineChange(bare(l.text), hunk.marks);
      for (let i = 0; i < lines.length; ) {
        const text = bare((lines[i] as DiffLine).text);
        const kind = change(lines[i] as DiffLine);
        if (kind === 'context' || kind === 'note') {
          // A context line with no word (a blank one) says nothing a question could ask for.
          if (kind === 'context' && text.slice(hunk.marks).trim()) push([lines[i] as DiffLine], g);
          i++;
          continue;
        }
        // A run of changes: its removed lines, then its added ones; a removed line and the added line
        // replacing it one unit.
        const removed: DiffLine[] = [];
        const added: DiffLine[] = [];
        for (; i < lines.length; i++) {
          const l = lines[i] as DiffLine;
          const c = change(l);
          if (c === 'removed' && !added.length) removed.push(l);
          else if (c === 'added') added.push(l);
          else if (c === 'note') (added.length ? added : removed).push(l);
          else break;
        }
        // "\ No newline at end of file" goes with the line it is said of.
        const pieces = (run: DiffLine[]): DiffLine[][] =>
          run.reduce<DiffLine[][]>((out, l) => {
            if (change(l) === 'note' && out.length) out[out.length - 1]?.push(l);
            else out.push([l]);
            return out;
          }, []);
        for (const unit of paired(pieces(removed), pieces(added), hunk.marks)) push(unit, g);
      }
    }
    // A file changed without hunks (a rename, a mode, a binary): its header is what it says, one unit.
    if (!file.hunks.length) {
      const g = groups[f] as MemoryGroup;
      g.header = null;
      push(file.header, f);
    }
  }
  outside(diff.trailer);
  return { text, format: 'prose', diff: true, units, groups };
}

/**
 * A diff is read for what it changes: its changed lines rank above its hunks' context lines, each in its
 * own order of relevance (a context line says what the change sits in, which its hunk's header
 * mostly says already). Read by relevance alone, `if (items.length > MAX_ITEMS)` came before the
 * `MAX_ITEMS = 100` it reads, the answer to "What was the maximum number of items changed to?".
 */
export function rankDiffChanges(score: Float64Array, memory: ParsedMemory): void {
  if (!memory.diff) return;
  let lowestChanged = Number.POSITIVE_INFINITY;
  let highestContext = Number.NEGATIVE_INFINITY;
  // Only a hunk's lines are changed or context: the lines outside its files (a patch mail's message,
  // the turns of a chat quoting the diff) keep their rank. Ranked as context, a chat's "Finance wants
  // to review large orders" fell below every changed line, and "why" kept only the `+` line.
  const inHunk = (u: MemoryUnit) => memory.groups[u.group]?.parent !== undefined;
  const changed = memory.units.map((u) => {
    if (!inHunk(u)) return null;
    const marks = marksOf(memory.groups[u.group]?.header ?? '');
    return u.text.split('\n').some((l) => isChanged(l, marks));
  });
  for (const [i, c] of changed.entries()) {
    const s = score[i] as number;
    if (c === true) lowestChanged = Math.min(lowestChanged, s);
    else if (c === false) highestContext = Math.max(highestContext, s);
  }
  if (highestContext < lowestChanged) return;
  const shift = highestContext - lowestChanged + 1;
  for (const [i, c] of changed.entries()) if (c === false) score[i] = (score[i] as number) - shift;
}

/** What a question may ask of a whole file, and the header line saying it happened. */
const FILE_EVENTS: readonly { asks: RegExp; says: RegExp }[] = [
  { asks: /\b(?:delet|remov)\w*\b/i, says: /^deleted file mode /m },
  { asks: /\b(?:new|add(?:s|ed|ing)?|creat\w*)\b/i, says: /^new file mode /m },
  { asks: /\b(?:renam\w*|mov(?:e|ed|es|ing))\b/i, says: /^(?:rename|copy) (?:from|to) /m },
];

/**
 * A question asking which file was deleted, added or renamed: the best line of each file whose header
 * says so ranks first. The header is no unit (a hunk's lines stand under it), so its words were never
 * scored: "Which file was deleted?" kept a binary file's header and a rename, not the deleted file.
 */
export function rankFileEvents(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (!memory.diff || !/\bfiles?\b/i.test(query)) return;
  const events = FILE_EVENTS.filter((e) => e.asks.test(query));
  if (!events.length) return;
  const top = maxOf(score);
  let lifted = 0;
  for (const [f, file] of memory.groups.entries()) {
    if (file.parent !== undefined) continue;
    const own = memory.groups.flatMap((g, k) => (k === f || g.parent === f ? g.units : []));
    const header = file.header ?? own.map((i) => memory.units[i]?.text ?? '').join('\n');
    if (!own.length || !/^(?:diff |--- )/m.test(header) || !events.some((e) => e.says.test(header))) continue;
    const best = own.reduce((a, b) => ((score[b] as number) > (score[a] as number) ? b : a));
    score[best] = top + 1 - 1e-6 * lifted++;
  }
}

/**
 * A file's header as the telegraphic style shows it: git's `diff --git a/x b/y` line with what
 * says the file was made, deleted, renamed or copied, without the `index` hashes and the `---` /
 * `+++` lines repeating its paths; null for a header without `diff --git` (diff -u's `---` / `+++`
 * are its only names) or for any other header.
 */
export function shortDiffHeader(header: string): string | null {
  const lines = header.split('\n');
  if (!/^diff --git /.test(lines[0] ?? '') || !lines.some((l) => /^(?:index |--- |\+\+\+ )/.test(l))) return null;
  return lines.filter((l) => !/^(?:index |--- |\+\+\+ |similarity index|dissimilarity index)/.test(l)).join('\n');
}
