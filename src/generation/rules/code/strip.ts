import type { Node, Tree } from 'web-tree-sitter';
import { parseCode } from '../../../code/parser.ts';
import { isComment, isDocstring, treeSignature } from '../../../code/signature.ts';

/** Comments that tools read: type checkers, linters, build constraints, encodings, shebangs. */
const PRAGMA =
  /^(#!|#\s*(type:|noqa|pragma|pylint:|mypy:|fmt:|isort:|-\*-|coding[:=])|\/\/\s*(@ts-|eslint|prettier-ignore|go:|\+build|nolint|istanbul|c8|biome-ignore|#(region|endregion)|NOLINT)|\/\*\s*(eslint|global|istanbul|c8|@ts-|webpackChunkName|#__PURE__|@__PURE__|prettier-ignore)|\/\*!|--\s*sql-formatter|\/\/\/\s*<reference)/;

/**
 * A deprecation notice: Go's `// Deprecated:` paragraph (go vet, staticcheck and gopls read it),
 * JSDoc's `@deprecated`, Sphinx's `.. deprecated::` in a docstring. Removed, the code reads as
 * current API to every tool and reader (review 5, F-16: a Go file lost its `// Deprecated:`).
 */
const DEPRECATION =
  /^\/\/\s*Deprecated:|^\/\*\*?\s*Deprecated:|^\/\*[\s\S]*?(?:@deprecated\b|\n\s*\*?\s*Deprecated:)|\.\. deprecated::/;

export interface StripOptions {
  comments: boolean;
  docstrings: boolean;
  blankLines: boolean;
  /**
   * What the caller protects: a comment or docstring holding one of them stays whole. A bare name
   * (`has_close_elements`) protects its definition, not every docstring that mentions it.
   */
  keep?: readonly (string | RegExp)[];
}

/** A protected string that is one identifier: it names a definition (the code path keeps that). */
export const isBareName = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s);

const holds = (text: string, keep: readonly (string | RegExp)[] | undefined) =>
  keep?.some((k) =>
    typeof k === 'string'
      ? k.length > 0 && !isBareName(k) && text.includes(k)
      : new RegExp(k.source, k.flags.replace('g', '')).test(text),
  ) ?? false;

export interface StripResult {
  text: string;
  /** 'ast': the result was reparsed and its syntax tree matches the original's minus what was removed. */
  verified: 'ast' | 'none';
  removed: { comments: number; docstrings: number; blankLines: number };
  /** Why nothing (or less) was removed, when the safe path was taken. */
  note?: string;
}

function* walk(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop() as Node;
    yield node;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
}

/** Rows covered by multi-line string-like nodes, where whitespace is content. */
function protectedRows(tree: Tree): Set<number> {
  const rows = new Set<number>();
  for (const node of walk(tree.rootNode)) {
    if (isComment(node)) continue;
    if (!/string|heredoc|template|raw_|text_block/.test(node.type)) continue;
    if (node.endPosition.row === node.startPosition.row) continue;
    for (let r = node.startPosition.row; r <= node.endPosition.row; r++) rows.add(r);
  }
  return rows;
}

interface Cut {
  start: number;
  end: number;
  replacement: string;
}

/** Widens a removal to whole lines when it stands alone, or to its leading spaces when trailing. */
function planCut(text: string, start: number, end: number): Cut {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd === -1) lineEnd = text.length;
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  const blankBefore = /^[ \t]*$/.test(before);
  const blankAfter = /^[ \t]*$/.test(after);
  if (blankBefore && blankAfter) {
    return { start: lineStart, end: Math.min(lineEnd + 1, text.length), replacement: '' };
  }
  if (blankAfter) {
    const trimmed = before.replace(/[ \t]+$/, '');
    return { start: lineStart + trimmed.length, end, replacement: '' };
  }
  if (blankBefore) {
    const spaces = /^[ \t]*/.exec(after)?.[0].length ?? 0;
    return { start, end: end + spaces, replacement: '' };
  }
  // Between two pieces of code: keep them apart (one space for all the spaces around the
  // comment), and keep a line break where the comment held one, since it may end a statement.
  const lead = /[ \t]*$/.exec(before)?.[0].length ?? 0;
  const trail = /^[ \t]*/.exec(after)?.[0].length ?? 0;
  return { start: start - lead, end: end + trail, replacement: text.slice(start, end).includes('\n') ? '\n' : ' ' };
}

function applyCuts(text: string, cuts: Cut[]): string {
  cuts.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const cut of cuts) {
    if (cut.start < pos) continue; // nested in or overlapping one already made
    out += text.slice(pos, cut.start) + cut.replacement;
    pos = cut.end;
  }
  return out + text.slice(pos);
}

function removeComments(
  tree: Tree,
  text: string,
  language: string,
  options: StripOptions,
): { text: string; comments: number; docstrings: number } {
  const cuts: Cut[] = [];
  let comments = 0;
  let docstrings = 0;
  /** The last row of a `// Deprecated:` paragraph being kept: its next `//` lines go on it. */
  let deprecatedRow = -2;
  for (const node of walk(tree.rootNode)) {
    // Tested on comments and docstrings only: every node's text (the root's is the whole file) is a copy.
    if (options.keep && (isComment(node) || isDocstring(node, language)) && holds(node.text, options.keep)) continue;
    if (options.comments && isComment(node)) {
      // A `//` line right under a kept deprecation line, not a blank `//`, is its paragraph's (re-read
      // of session 31: "// use Sweep instead. Removed in v3." went, the line above stayed).
      const goesOn =
        node.startPosition.row === deprecatedRow + 1 && /^\/\/[ \t]*\S/.test(node.text) && !/^\/\/\s*$/.test(node.text);
      if (DEPRECATION.test(node.text) || goesOn) {
        if (node.text.startsWith('//')) deprecatedRow = node.endPosition.row;
        continue;
      }
      if (PRAGMA.test(node.text)) continue;
      cuts.push(planCut(text, node.startIndex, node.endIndex));
      comments++;
    } else if (options.docstrings && isDocstring(node, language)) {
      // A body that is only a docstring would be empty without it: keep it.
      const siblings = node.parent?.namedChildren.filter((c) => c && !isComment(c)) ?? [];
      if (siblings.length < 2 || DEPRECATION.test(node.text)) continue;
      cuts.push(planCut(text, node.startIndex, node.endIndex));
      docstrings++;
    }
  }
  return { text: applyCuts(text, cuts), comments, docstrings };
}

function tidyLines(text: string, rows: Set<number>, dropBlank: boolean): { text: string; blank: number } {
  const lines = text.split('\n');
  const out: string[] = [];
  let blank = 0;
  lines.forEach((line, row) => {
    if (rows.has(row)) {
      out.push(line);
      return;
    }
    const trimmed = line.replace(/[ \t]+$/, '');
    if (dropBlank && trimmed === '' && row < lines.length - 1) {
      blank++;
      return;
    }
    out.push(trimmed);
  });
  return { text: out.join('\n'), blank };
}

function sameSignature(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/**
 * Removes comments, docstrings and blank lines from a program, then proves the result: it must
 * parse without errors and have the same syntax tree as the original minus what was removed.
 * Anything it cannot prove it does not do.
 */
export async function stripCode(
  text: string,
  language: string,
  options: StripOptions = { comments: true, docstrings: true, blankLines: true },
): Promise<StripResult> {
  const none = { comments: 0, docstrings: 0, blankLines: 0 };
  // A program that reads its docstrings (`__doc__`: argparse's description, docopt's usage, a
  // help command printing `f.__doc__`) needs them: the syntax tree cannot tell (review).
  if (options.docstrings && language === 'python' && /\b__doc__\b/.test(text)) {
    const kept = await stripCode(text, language, { ...options, docstrings: false });
    return { ...kept, note: kept.note ?? 'kept docstrings: the program reads __doc__' };
  }
  const original = await parseCode(text, language);
  if (!original) {
    return { text, verified: 'none', removed: none, note: `no parser for ${language}: left as is` };
  }
  try {
    if (original.rootNode.hasError) {
      return { text, verified: 'none', removed: none, note: `the ${language} source does not parse: left as is` };
    }
    const reference = treeSignature(original, language);
    const cut = removeComments(original, text, language, options);
    const middle = await parseCode(cut.text, language);
    if (!middle) return { text, verified: 'none', removed: none };
    let tidied: { text: string; blank: number };
    try {
      tidied = tidyLines(cut.text, protectedRows(middle), options.blankLines);
    } finally {
      middle.delete();
    }
    const result = await parseCode(tidied.text, language);
    if (!result) return { text, verified: 'none', removed: none };
    try {
      if (!result.rootNode.hasError && sameSignature(reference, treeSignature(result, language))) {
        return {
          text: tidied.text,
          verified: 'ast',
          removed: { comments: cut.comments, docstrings: cut.docstrings, blankLines: tidied.blank },
        };
      }
    } finally {
      result.delete();
    }
    // Something removed mattered to the parser (a docstring that was a value, a comment that was
    // syntax): retry with less, then give up and keep the original.
    if (options.docstrings || options.blankLines) {
      const safer = await stripCode(text, language, {
        comments: options.comments,
        docstrings: false,
        blankLines: false,
        ...(options.keep ? { keep: options.keep } : {}),
      });
      if (safer.verified === 'ast')
        return { ...safer, note: 'kept docstrings and blank lines: removing them changed the syntax tree' };
    }
    return { text, verified: 'none', removed: none, note: 'removing comments changed the syntax tree: left as is' };
  } finally {
    original.delete();
  }
}
