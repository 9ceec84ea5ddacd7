/**
 * Lines of a config or a script selected for a question (an nginx.conf, a Dockerfile, a Makefile, a
 * Terraform plan, SQL), shown as the file writes them: each with its indentation, under the lines
 * that open the blocks holding it (`http {`, `server {`, `location /admin {`, a Makefile's target,
 * `CREATE TABLE orders (`), and with the lines that close those blocks (`}`, `);`). The selection
 * reads such a file as sentences, trimmed: a kept `client_max_body_size 25m;` came back at the left
 * margin, under an `http {` never closed, beside a `location /admin {` outside any server
 * (review s34 h2, nginx.conf at 0.1). A block is read from the indentation, which every such file
 * the review met writes; a closing line is the first line back at the opener's indentation when it
 * starts with a closing bracket. A block shown without any of its lines holds `...`.
 */
import { ELIDED } from './command-lines.ts';

/**
 * A plan's change mark before a line's text (`  + resource`, `-/+ resource`, `      ~ arn`): the
 * text's column is the line's indentation, as the plan aligns its blocks' closing `}` with it.
 */
const CHANGE_MARK = /^(\s*)(?:-\/\+|\+\/-|[-+~])(?=\s)/;

/** A line's indentation in columns, a tab to the next multiple of 8 (a Makefile's recipe), a change mark as spaces. */
function indentOf(line: string): number {
  let col = 0;
  for (const c of line.replace(CHANGE_MARK, (m) => ' '.repeat(m.length))) {
    if (c === ' ') col++;
    else if (c === '\t') col = col - (col % 8) + 8;
    else break;
  }
  return col;
}

/** A line closing a block: a bracket, a shell block's `fi`, `done`, `esac`, or a case arm's `;;` written beside its pattern. */
const CLOSES = /^\s*(?:[}\])]|(?:fi|done|esac)\b|;;&?\s*$|;&\s*$)/;
/** A shell case arm's end (`;;`, `;&`, `;;&`) on a line of its own. */
const ARM_END = /^\s*(?:;;&?|;&)\s*$/;
/** A shell case arm's pattern (`staging)`, `start|restart)`), not the `case ... in` holding the arms. */
const ARM = /^(?!\s*case\b)[^#]*\)\s*(?:#.*)?$/;

/**
 * Where each kept piece stands in the source: the source's lines, trimmed and joined by one space
 * (the selection writes a sentence wrapped over lines on one), searched in order for each piece.
 * Null when a piece is not found there: the selection rewrote it, and its text is kept as it came.
 */
function keptLineIndexes(lines: readonly string[], kept: string): Set<number> | null {
  let flat = '';
  const lineAt: number[] = [];
  // Where each line's text starts and ends in `flat`.
  const starts = new Set<number>();
  const ends = new Set<number>();
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    if (flat) {
      flat += ' ';
      lineAt.push(i);
    }
    starts.add(flat.length);
    flat += t;
    ends.add(flat.length);
    for (let k = 0; k < t.length; k++) lineAt.push(i);
  });
  const out = new Set<number>();
  // A piece that is a whole line of the source is that line, not the same words inside a longer one:
  // a script's call `dump` was read as the `.dump` ending `aws s3 cp ... .dump`, and the upload
  // function came back for a question about the dump's format (backup.sh at 0.2).
  const wholeLine = (at: number, length: number) => starts.has(at) && ends.has(at + length);
  const findLine = (piece: string, start: number): number => {
    for (let at = flat.indexOf(piece, start); at >= 0; at = flat.indexOf(piece, at + 1))
      if (wholeLine(at, piece.length)) return at;
    return -1;
  };
  let from = 0;
  for (const raw of kept.split('\n')) {
    const piece = raw.trim();
    // A run of a command's lines the selection left out (command-lines.ts): no line of the source.
    if (!piece || piece === ELIDED) continue;
    let at = findLine(piece, from);
    if (at < 0) at = findLine(piece, 0);
    if (at < 0) at = flat.indexOf(piece, from);
    if (at < 0) at = flat.indexOf(piece);
    if (at < 0) return null;
    const first = lineAt[at] as number;
    const last = lineAt[at + piece.length - 1] as number;
    for (let i = first; i <= last; i++) out.add(i);
    from = at + piece.length;
  }
  return out;
}

/** A line going on on the next: `\` at its end (a shell's, a Dockerfile's, a Makefile's). */
const CONTINUED_LINE = /\\\r?$/;
/** An indented comment line, which a Dockerfile's continued command goes on past. */
const INNER_COMMENT = /^[ \t]+#/;

export interface NestedLines {
  text: string;
  /** Lines added above or below the kept ones: the openers and closers of their blocks. */
  added: number;
}

/**
 * The kept lines of `source` (as the selection wrote them in `kept`) with their indentation, the
 * lines opening their blocks and those closing them, in the source's order. Null when a kept piece
 * is not one of the source's lines (nothing to restore).
 */
export function nestKeptLines(source: string, kept: string, options: { indent?: boolean } = {}): NestedLines | null {
  const indent = options.indent !== false;
  const lines = source.split('\n');
  const keep = keptLineIndexes(lines, kept);
  if (!keep?.size) return null;
  const indents = lines.map((l) => (l.trim() ? indentOf(l) : -1));
  // The line each line's block opens under: the nearest line above at a smaller indentation.
  const parentOf = (i: number): number => {
    const own = indents[i] as number;
    for (let j = i - 1; j >= 0; j--) {
      const d = indents[j] as number;
      if (d >= 0 && d < own) return j;
    }
    return -1;
  };
  /** Where the block a line opens ends (the next line back at its indentation or less), or -1 when it opens none. */
  const blockEnd = (j: number): number => {
    const own = indents[j] as number;
    let k = j + 1;
    while (k < lines.length && (indents[k] as number) < 0) k++;
    if (k >= lines.length || (indents[k] as number) <= own) return -1;
    for (; k < lines.length; k++) {
      const d = indents[k] as number;
      if (d >= 0 && d <= own) return k;
    }
    return lines.length;
  };
  const closes = (i: number) => CLOSES.test(lines[i] as string);
  // A closing line comes with its block's opener, never alone: kept alone it closed a block not shown.
  const holdsKept = (i: number) => {
    const end = blockEnd(i);
    return end >= 0 && [...keep].some((k) => k > i && k < end);
  };
  for (const i of [...keep]) if (closes(i)) keep.delete(i);
  // A kept line continued on the next (`\` at its end: a Dockerfile's RUN, a Makefile recipe) brings
  // the lines continuing it: cut there, the next line shown went on the command (re-read of session
  // 35: a RUN's `ca-certificates \` then `USER node`, the package asked for left out).
  // A comment line inside the command (a Dockerfile's `# image tools` between its packages) goes on
  // with it: ended there, `RUN ... \` came back with its comment and none of the packages under it.
  const goesOn = (k: number): boolean => {
    let j = k;
    while (j > 0 && INNER_COMMENT.test(lines[j] as string)) j--;
    return CONTINUED_LINE.test(lines[j] as string);
  };
  // Unless the selection cut the command to its lines that answer (command-lines.ts): the lines it
  // left out are shown as `...` then, as it wrote them.
  // A script's lines are each a unit (memory-units.ts parseSourceLines): a kept line continuing one
  // not kept is a part of its command chosen, the command's first line shown over it.
  const part = [...keep].some((i) => i > 0 && goesOn(i - 1) && !keep.has(i - 1));
  const cut = part || kept.split('\n').some((l) => l.trim() === ELIDED);
  if (part)
    for (const i of [...keep]) {
      let head = i;
      while (head > 0 && goesOn(head - 1)) head--;
      keep.add(head);
    }
  if (!cut)
    for (const i of [...keep].sort((a, b) => a - b))
      for (let k = i; k + 1 < lines.length && goesOn(k); k++) keep.add(k + 1);
  // An opener written the same as another (`server {`) is read as the one whose block holds kept
  // lines, when one does: found first, the empty one showed a block that is not (nginx.conf at 0.1).
  for (const i of [...keep]) {
    if (blockEnd(i) < 0 || holdsKept(i)) continue;
    const text = (lines[i] as string).trim();
    if (lines.some((l, j) => j !== i && l.trim() === text && holdsKept(j))) keep.delete(i);
  }
  if (!keep.size) return null;
  const openers = new Set<number>();
  for (const i of keep)
    for (let p = parentOf(i); p >= 0 && !keep.has(p) && !openers.has(p); p = parentOf(p)) openers.add(p);
  const shown = new Set([...keep, ...openers]);
  // Each shown opener brings the line closing its block, when one does (`}`, `);`).
  const closers = new Set<number>();
  for (const j of shown) {
    const end = blockEnd(j);
    if (end >= 0 && end < lines.length && indents[end] === indents[j] && closes(end) && !shown.has(end))
      closers.add(end);
    // A case arm's `;;` written under its lines is its block's last line, not a line back at the
    // arm's indentation: left out, a shown arm ran on into the next (`staging)` ... `production)`),
    // another script (deploy.sh at 0.2, re-read of session 37).
    if (end < 0 || !ARM.test(lines[j] as string)) continue;
    let last = end - 1;
    while (last > j && (indents[last] as number) < 0) last--;
    if (last > j && ARM_END.test(lines[last] as string) && !shown.has(last)) closers.add(last);
  }
  // A block shown with none of its lines says so (`...` at their indentation): closed on its opener,
  // `CREATE TABLE orders (` then `);` read as a table of no column (review s35 h3, a migration at 0.2).
  // A block with no closing line alike: a Makefile's `build:` and `lint:` alone read as targets with
  // no recipe (session 39 item 4).
  const elided = new Map<number, string>();
  for (const j of shown) {
    const end = blockEnd(j);
    // (A command going on over its lines is no such block: the `...` for its lines left out is below.)
    const unclosed = end >= 0 && !goesOn(j) && !CLOSES.test((lines[end] as string | undefined) ?? '');
    if (!(closers.has(end) || unclosed) || [...shown].some((k) => k > j && k < end)) continue;
    let k = j + 1;
    while ((indents[k] as number) < 0) k++;
    elided.set(j, `${indent ? ((lines[k] as string).match(/^\s*/)?.[0] ?? '') : ''}...`);
  }
  const all = [...shown, ...closers].sort((a, b) => a - b);
  const out = all.flatMap((i) => {
    // A command's continued lines keep their indentation at the margin too: at the margin, a RUN's
    // packages read as commands of their own.
    const continues = i > 0 && goesOn(i - 1);
    const line = indent || continues ? (lines[i] as string).trimEnd() : (lines[i] as string).trim();
    const gap =
      elided.get(i) ??
      (cut && i + 1 < lines.length && goesOn(i) && !all.includes(i + 1)
        ? `${(lines[i + 1] as string).match(/^\s*/)?.[0] ?? ''}${ELIDED}`
        : undefined);
    return gap === undefined ? [line] : [line, gap];
  });
  return { text: out.join('\n'), added: openers.size + closers.size + elided.size };
}

/** A line of closing brackets alone (`}`, `};`, `);`, `]`). */
const LONE_CLOSER = /^\s*[}\])][}\]);,\s]*$/;
const OPENS = /[{([]\s*$/;

/**
 * The selected lines as they came, less each closing line whose opening line is not among them:
 * when no closed form fits the budget the selection is shown as it is, and a `}` alone under
 * `client_max_body_size 25m;` reads as a block that never opened (re-read of session 35, nginx at
 * 0.1). A closer whose opener was kept stays.
 */
export function withoutUnopenedClosers(text: string): string {
  let depth = 0;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (LONE_CLOSER.test(line)) {
      if (depth === 0) continue;
      depth--;
    } else if (OPENS.test(line)) depth++;
    out.push(line);
  }
  return out.join('\n');
}
