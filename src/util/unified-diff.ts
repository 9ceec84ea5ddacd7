/**
 * A unified diff (`git diff`, `diff -u`, a `.patch`) read as files of hunks of lines: each file's
 * header (`diff --git`, `index`, `---`, `+++`, a rename's lines), each hunk's `@@ -a,b +c,d @@` line
 * and the lines under it with their marks. Read by the classifier (a diff is no prose, nor the
 * language of the code it changes) and by the query path, which keeps a diff's lines as written
 * under their headers (inference/query/diff-hunks.ts). Read as prose, a diff's lines were joined
 * and telegraphed, the `+` line a question asked for never kept (review s35 h3).
 */

import { type Line, linesOf } from './text-lines.ts';

/** A line of the text: its offsets (without the line break) and its text (a CRLF's CR kept). */
export type DiffLine = Line;

export interface DiffHunk {
  /** The `@@ -a,b +c,d @@ section` line (a combined diff's `@@@ -a,b -c,d +e,f @@@`). */
  header: DiffLine;
  /**
   * The lines under it, in order: context (` `), removed (`-`), added (`+`), `\ No newline ...`; in a
   * combined diff each line has a mark per parent (`++`, ` -`, `+ `).
   */
  lines: DiffLine[];
  /** How many marks open each line: 1, or a combined diff's number of parents. */
  marks: number;
}

export interface DiffFile {
  /** Lines between the file before and this one (a second patch's message), blank ones left out. */
  before: DiffLine[];
  /** `diff --git ...`, `index ...`, `--- a/...`, `+++ b/...`, `rename from ...`: as written, in order. */
  header: DiffLine[];
  hunks: DiffHunk[];
}

export interface UnifiedDiff {
  /** Lines before the first file (a patch mail's subject and message), blank ones left out. */
  preamble: DiffLine[];
  files: DiffFile[];
  /** Lines after the last file's hunks (a patch mail's `-- ` signature), blank ones left out. */
  trailer: DiffLine[];
}

/** A hunk's header: where its lines stand in the old and the new file. */
export const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
/**
 * A combined diff's hunk header (`git diff` of a merge, `git show` of one): one `@` more than its
 * parents, a range per parent, then the result's: `@@@ -1,12 -1,12 +1,13 @@@`.
 */
const COMBINED_HEADER = /^(@{3,}) ((?:-\d+(?:,\d+)? ){2,})\+\d+(?:,(\d+))? \1(?!@)/;

/**
 * A hunk header's line counts: each old file's (one, or a combined diff's parents') and the new
 * file's, an omitted count 1; null for a line that is no hunk header.
 */
function hunkCounts(line: string): { old: number[]; now: number } | null {
  const count = (c: string | undefined) => (c === undefined ? 1 : Number(c));
  const m = HUNK_HEADER.exec(line);
  if (m) return { old: [count(m[1])], now: count(m[2]) };
  const c = COMBINED_HEADER.exec(line);
  if (!c || (c[1] as string).length - 1 !== (c[2] as string).trim().split(' ').length) return null;
  const old = (c[2] as string)
    .trim()
    .split(' ')
    .map((r) => count(r.split(',')[1]));
  return { old, now: count(c[3]) };
}

/** The marks opening a hunk's line, one per old file: ` `, `-` or `+` each; null when it has other. */
const MARKS = /^[ +-]+$/;
/** The line opening a file's header in git's and diff's output. */
const FILE_START = /^diff (?:--git|--cc|--combined|-[a-zA-Z]+) /;
/** git's extended header lines, between `diff --git` and `---`. */
const EXTENDED =
  /^(?:index [0-9a-f]+(?:,[0-9a-f]+)*\.\.[0-9a-f]+|mode \d+(?:,\d+)+\.\.\d+|(?:old|new|deleted file|new file) mode \d+|similarity index|dissimilarity index|rename (?:from|to) |copy (?:from|to) |Binary files .* differ|GIT binary patch$)/;
/** A binary patch's lines (`git diff --binary`): a `literal` or `delta` size, then base85 data lines. */
const BINARY_SIZE = /^(?:literal|delta) \d+$/;
const BASE85 = /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]+$/;

/** A git log's commit line: a log with its patches (`git log -p`, `git show`) is read as a log (git-log.ts). */
const COMMIT_LINE = /^commit [0-9a-f]{7,40}\b/;

/** A patch mail's lines (`git format-patch`): its mbox line, or a subject naming a patch. */
const PATCH_MAIL = /^(?:From [0-9a-f]{40} |Subject: \[PATCH\b)/;

/** Without a CRLF's CR: what a line says. */
const bare = (l: DiffLine) => l.text.replace(/\r$/, '');

/**
 * The diff, or null when the text is none: it holds a file (a `diff --git` line, or a `---` line
 * right over a `+++` one) with a hunk or git's header lines, and its lines outside files (a commit
 * message above them) are fewer than those in them, or are a patch mail's, or a text `quotedIn`
 * says the diff is quoted in.
 */
export function parseUnifiedDiff(
  text: string,
  options: { quotedIn?: (outside: readonly string[]) => boolean } = {},
): UnifiedDiff | null {
  if (!/^(?:diff |--- |@@ -)/m.test(text)) return null;
  const lines = linesOf(text);
  const preamble: DiffLine[] = [];
  const files: DiffFile[] = [];
  /** The lines read since the last file's hunks: the next file's `before`, or the trailer. */
  let between: DiffLine[] = [];
  let inFiles = 0;
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as DiffLine;
    const t = bare(l);
    const next = lines[i + 1] ? bare(lines[i + 1] as DiffLine) : '';
    const opens = FILE_START.test(t) || (t.startsWith('--- ') && next.startsWith('+++ '));
    if (!opens) {
      if (t.trim()) (files.length ? between : preamble).push(l);
      i++;
      continue;
    }
    const file: DiffFile = { before: between, header: [l], hunks: [] };
    between = [];
    files.push(file);
    i++;
    // The header goes on to the first hunk: git's extended lines, then `---` and `+++`.
    for (; i < lines.length; i++) {
      const h = bare(lines[i] as DiffLine);
      if (EXTENDED.test(h) || h.startsWith('--- ') || h.startsWith('+++ ')) file.header.push(lines[i] as DiffLine);
      else break;
    }
    // A binary patch's data says nothing a question asks for: read past, no line of the diff's. Read
    // as lines outside its files, it outnumbered them, and `git diff --binary` was no diff.
    if (bare(file.header[file.header.length - 1] as DiffLine) === 'GIT binary patch')
      for (; i < lines.length; i++) {
        const b = bare(lines[i] as DiffLine);
        const after = lines[i + 1] ? bare(lines[i + 1] as DiffLine) : '';
        if (!(BINARY_SIZE.test(b) || BASE85.test(b) || (b === '' && BINARY_SIZE.test(after)))) break;
      }
    // Its hunks, each as long as its header says (an omitted count is 1), or to a line no hunk
    // writes when a hand-made hunk miscounts. A combined diff's line has a mark per parent: it is in
    // the result unless one says `-`, and in a parent whose mark says `-`, or says ` ` on a line of the
    // result.
    for (;;) {
      const head = lines[i];
      const counts = head ? hunkCounts(bare(head)) : null;
      if (!head || !counts) break;
      const { old, now: newCount } = counts;
      let now = newCount;
      const hunk: DiffHunk = { header: head, lines: [], marks: old.length };
      file.hunks.push(hunk);
      for (
        i++;
        i < lines.length && (old.some((n) => n > 0) || now > 0 || bare(lines[i] as DiffLine).startsWith('\\'));
        i++
      ) {
        const h = bare(lines[i] as DiffLine);
        // A blank line is an empty context line whose spaces a mail or an editor took.
        const marks = h === '' ? ' '.repeat(old.length) : h.slice(0, old.length);
        if (h.startsWith('\\')) {
          hunk.lines.push(lines[i] as DiffLine);
          continue;
        }
        if (marks.length < old.length || !MARKS.test(marks)) break;
        const kept = !marks.includes('-');
        if (kept) now--;
        for (let k = 0; k < old.length; k++)
          if (marks[k] === '-' || (kept && marks[k] === ' ')) old[k] = (old[k] as number) - 1;
        hunk.lines.push(lines[i] as DiffLine);
      }
    }
    inFiles += file.header.length + file.hunks.reduce((n, h) => n + 1 + h.lines.length, 0);
  }
  const read = files.filter((f) => f.hunks.length || f.header.some((l) => EXTENDED.test(bare(l))));
  const outside = preamble.length + files.reduce((n, f) => n + f.before.length, 0) + between.length;
  // A patch mail's message and diffstat are the patch's, however long against its change: counted as
  // prose quoting a diff, a one-line fix with a paragraph of message was read as prose (a `.patch`
  // path still said diff, and a query was not applied at all).
  const mail = preamble.some((l) => PATCH_MAIL.test(bare(l)));
  // A text the caller reads the diff as quoted in (the query path: a chat's turns around a diff one
  // pasted), however long against it: read as prose, the diff's lines were telegraphed, their marks
  // and headers lost.
  const quoted =
    outside >= inFiles &&
    options.quotedIn?.([preamble, ...files.map((f) => f.before), between].flat().map((l) => bare(l))) === true;
  if (
    !read.length ||
    (outside >= inFiles && !mail && !quoted) ||
    COMMIT_LINE.test(bare(preamble[0] ?? { start: 0, end: 0, text: '' }))
  )
    return null;
  return { preamble, files, trailer: between };
}

/** How many marks open each line under a hunk's header: one, or a combined diff's one per parent. */
export const marksOf = (hunkHeader: string): number => (/^@+/.exec(hunkHeader)?.[0].length ?? 2) - 1;

/**
 * What a hunk's line is, read from its marks: removed (not in the new file: a `-`), added (in it,
 * not in an old one: a `+`), a note (`\ No newline at end of file`) or context.
 */
export function lineChange(text: string, marks: number): 'removed' | 'added' | 'note' | 'context' {
  if (text.startsWith('\\')) return 'note';
  const m = text.slice(0, marks);
  return m.includes('-') ? 'removed' : m.includes('+') ? 'added' : 'context';
}

/** Whether a text is a unified diff (parseUnifiedDiff). */
export const isUnifiedDiff = (text: string): boolean => parseUnifiedDiff(text) !== null;
