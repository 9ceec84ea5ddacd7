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
  /** The `@@ -a,b +c,d @@ section` line. */
  header: DiffLine;
  /** The lines under it, in order: context (` `), removed (`-`), added (`+`), `\ No newline ...`. */
  lines: DiffLine[];
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
/** The line opening a file's header in git's and diff's output. */
const FILE_START = /^diff (?:--git|--cc|--combined|-[a-zA-Z]+) /;
/** git's extended header lines, between `diff --git` and `---`. */
const EXTENDED =
  /^(?:index [0-9a-f]+\.\.[0-9a-f]+|(?:old|new|deleted file|new file) mode \d+|similarity index|dissimilarity index|rename (?:from|to) |copy (?:from|to) |Binary files .* differ|GIT binary patch$)/;
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
 * message above them) are fewer than those in them.
 */
export function parseUnifiedDiff(text: string): UnifiedDiff | null {
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
    // writes when a hand-made hunk miscounts.
    for (;;) {
      const head = lines[i];
      const m = head && HUNK_HEADER.exec(bare(head));
      if (!head || !m) break;
      const hunk: DiffHunk = { header: head, lines: [] };
      file.hunks.push(hunk);
      let old = m[1] === undefined ? 1 : Number(m[1]);
      let now = m[2] === undefined ? 1 : Number(m[2]);
      for (i++; i < lines.length && (old > 0 || now > 0 || bare(lines[i] as DiffLine).startsWith('\\')); i++) {
        const h = bare(lines[i] as DiffLine);
        const mark = h.charAt(0);
        // A blank line is an empty context line whose space a mail or an editor took.
        if (mark === ' ' || h === '') {
          old--;
          now--;
        } else if (mark === '-') old--;
        else if (mark === '+') now--;
        else if (mark !== '\\') break;
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
  if (
    !read.length ||
    (outside >= inFiles && !mail) ||
    COMMIT_LINE.test(bare(preamble[0] ?? { start: 0, end: 0, text: '' }))
  )
    return null;
  return { preamble, files, trailer: between };
}

/** Whether a text is a unified diff (parseUnifiedDiff). */
export const isUnifiedDiff = (text: string): boolean => parseUnifiedDiff(text) !== null;
