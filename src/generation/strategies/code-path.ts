import type { Node } from 'web-tree-sitter';
import { parseCode } from '../../code/parser.ts';
import { countTiktoken } from '../../tokenizers/tiktoken.ts';
import { isBareName, stripCode } from '../rules/code/strip.ts';

/**
 * The code path of extractive compression. Code is never cut inside a line: token-level deletion
 * is what makes LLMLingua-2 collapse on code (LongCodeZip). This path removes, in order, whole
 * comments, docstrings and blank lines (proven by reparsing, see stripCode), then whole top-level
 * blocks nothing uses: a `if __name__ == "__main__":` harness, private definitions (Python `_name`,
 * unexported JS/TS) and imports whose names are never referenced (Python, JS and TS; an import
 * for its side effects stays). Public definitions and the
 * names the caller protects (an entry point) are never removed. Whatever it returns parses.
 */
export interface CodePathOptions {
  language: string;
  /** Kept fraction of o200k tokens to aim for; the path stops early once it is reached. */
  ratio?: number;
  /** Names that must stay defined (the entry point a test calls, an API). */
  protect?: readonly string[];
  /**
   * o200k tokens of the text before any earlier stage (the rules) ran: the ratio and the notes
   * are about the original, not this stage's input.
   */
  originalTokens?: number;
  /**
   * Comments and docstrings stay (blank lines still go): with a query, what a kept function says
   * of itself is often the answer ("a 4xx response is not retried"), and the bodies a question
   * needs least go instead (review 4: the docstrings stating a module's rules were stripped).
   */
  keepDocs?: boolean;
}

export interface CodePathResult {
  text: string;
  removed: { comments: number; docstrings: number; blankLines: number; blocks: string[] };
  tokensBefore: number;
  tokensAfter: number;
  /** Why the ratio was not reached, or why the code was left alone. */
  notes: string[];
}

interface Block {
  start: number;
  end: number;
  /** Names the block defines (empty for a harness). */
  defines: string[];
  label: string;
  kind: 'harness' | 'private' | 'import';
}

const DEF_TYPES = new Set([
  'function_definition',
  'class_definition',
  'function_declaration',
  'class_declaration',
  'lexical_declaration',
  'variable_declaration',
  'interface_declaration',
  'type_alias_declaration',
]);

function identifiersIn(node: Node, out: Map<string, number>): void {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop() as Node;
    if (/identifier$/.test(n.type) || n.type === 'property_identifier') out.set(n.text, (out.get(n.text) ?? 0) + 1);
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
}

function definedNames(node: Node): string[] {
  const name = node.childForFieldName('name');
  if (name) return [name.text];
  // const a = ..., b = ...
  const names: string[] = [];
  for (const d of node.namedChildren) {
    const n = d?.type === 'variable_declarator' ? d.childForFieldName('name') : null;
    if (n?.type === 'identifier') names.push(n.text);
  }
  return names;
}

/**
 * The local names a JavaScript or TypeScript import binds: its default, its namespace, each named
 * import (its alias when it has one), `import x = require()`. None for a side-effect import
 * (`import './polyfill'`), which is kept for what loading it does.
 */
function importedNamesJs(node: Node): string[] {
  const names: string[] = [];
  for (const clause of node.namedChildren) {
    if (clause?.type !== 'import_clause' && clause?.type !== 'import_require_clause') continue;
    for (const c of clause.namedChildren) {
      if (c?.type === 'identifier') names.push(c.text);
      else if (c?.type === 'namespace_import')
        names.push(...c.namedChildren.filter((x) => x?.type === 'identifier').map((x) => (x as Node).text));
      else if (c?.type === 'named_imports')
        for (const spec of c.namedChildren) {
          if (spec?.type !== 'import_specifier') continue;
          const local = spec.childForFieldName('alias') ?? spec.childForFieldName('name');
          if (local) names.push(local.text);
        }
    }
  }
  return names;
}

const JS_LANGUAGES = new Set(['javascript', 'typescript', 'tsx']);

function importedNames(node: Node): string[] {
  if (node.type === 'import_statement' || node.type === 'import_from_statement') {
    // Python: import a.b as c / from m import x as y, z
    const names: string[] = [];
    for (const c of node.namedChildren) {
      if (!c || c === node.childForFieldName('module_name')) continue;
      if (c.type === 'aliased_import') names.push(c.childForFieldName('alias')?.text ?? '');
      else if (c.type === 'dotted_name') names.push(c.text.split('.')[0] ?? '');
      else if (c.type === 'wildcard_import') return []; // a star import: cannot know what it brings
    }
    return names.filter(Boolean);
  }
  return [];
}

function isMainGuard(node: Node): boolean {
  if (node.type !== 'if_statement') return false;
  const cond = node.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
  return cond === '__name__=="__main__"' || cond === "__name__=='__main__'";
}

function hasDecorator(node: Node): boolean {
  return node.namedChildren.some((c) => c?.type === 'decorator');
}

/**
 * Names a Python module uses without an identifier: each string that is a name or a dotted path
 * (`__all__ = ["_helper"]`, an annotation `"np.ndarray"`, `globals()["_handler"]`) uses the name
 * and the path's first part.
 */
function namesInStrings(root: Node): Set<string> {
  const out = new Set<string>();
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop() as Node;
    if (n.type === 'string') {
      const body = /^[rbuf]*(['"]{1,3})([\s\S]*)\1$/i.exec(n.text)?.[2]?.trim();
      if (body && /^[A-Za-z_][\w.]*$/.test(body)) {
        out.add(body);
        out.add(body.split('.')[0] as string);
      }
      continue;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/**
 * A JS or TS file that is a module (an import or export, or CommonJS's require and exports): its
 * unexported top-level names are its own. A script's are globals, which a page's `onclick="save()"`
 * or the next script calls (review: a browser script's handlers went as unused).
 */
function isModule(root: Node): boolean {
  if (root.namedChildren.some((c) => c?.type === 'import_statement' || c?.type === 'export_statement')) return true;
  return /\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w+\s*=/.test(root.text);
}

function hasJsx(root: Node): boolean {
  return root.descendantsOfType(['jsx_element', 'jsx_self_closing_element', 'jsx_fragment']).length > 0;
}

/** Modules imported for what importing them does (line editing, a patch), never for a name. */
const SIDE_EFFECT_MODULES = new Set(['readline', 'rlcompleter', 'site', 'sitecustomize', 'antigravity', 'this']);

const importBlock = (node: Node, names: string[]): Block => ({
  start: node.startIndex,
  end: node.endIndex,
  defines: names,
  label: node.text.split('\n')[0] ?? '',
  kind: 'import',
});

/** Top-level blocks that may go, with what they define. */
function removableBlocks(root: Node, language: string): Block[] {
  const blocks: Block[] = [];
  // Read once a file, not once a definition (each reads the whole tree or its text); JSX only
  // when a React import asks.
  const js = JS_LANGUAGES.has(language);
  const moduleFile = js && isModule(root);
  let jsx: boolean | undefined;
  const usesJsx = () => {
    jsx ??= hasJsx(root);
    return jsx;
  };
  for (const node of root.namedChildren) {
    if (!node) continue;
    if (language === 'python' && isMainGuard(node)) {
      blocks.push({
        start: node.startIndex,
        end: node.endIndex,
        defines: [],
        label: 'if __name__ == "__main__"',
        kind: 'harness',
      });
      continue;
    }
    if (language === 'python' && (node.type === 'import_statement' || node.type === 'import_from_statement')) {
      const names = importedNames(node);
      const module = /^(?:from|import)\s+([\w.]+)/.exec(node.text)?.[1] ?? '';
      if (
        names.length &&
        !/^from\s+__future__/.test(node.text) &&
        !SIDE_EFFECT_MODULES.has(module.split('.')[0] as string)
      )
        blocks.push(importBlock(node, names));
      continue;
    }
    if (js && node.type === 'import_statement') {
      const names = importedNamesJs(node);
      // JSX compiles to calls of `React.createElement` in the classic runtime: a file with JSX uses React.
      if (names.length && !(names.includes('React') && usesJsx())) blocks.push(importBlock(node, names));
      continue;
    }
    // A decorator may register what it decorates (`@app.route`, `@atexit.register`): used by it. A
    // Python `decorated_definition` is no DEF_TYPE; a JavaScript class holds its decorators.
    if (!DEF_TYPES.has(node.type) || hasDecorator(node)) continue;
    const names = definedNames(node);
    if (!names.length) continue;
    // Private only: a public definition is the module's interface, whoever calls it.
    const isPrivate =
      language === 'python'
        ? names.every((n) => n.startsWith('_') && !/^__\w+__$/.test(n))
        : js
          ? node.parent?.type !== 'export_statement' && moduleFile
          : false;
    if (isPrivate)
      blocks.push({
        start: node.startIndex,
        end: node.endIndex,
        defines: names,
        label: names.join(', '),
        kind: 'private',
      });
  }
  return blocks;
}

/** Removes [start, end) and the rest of its line(s) when nothing else is on them. */
function cutBlock(text: string, start: number, end: number): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const before = text.slice(lineStart, start);
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  const after = text.slice(end, lineEnd);
  if (/^\s*$/.test(before) && /^\s*(#.*|\/\/.*)?$/.test(after))
    return text.slice(0, lineStart) + text.slice(Math.min(text.length, lineEnd + 1));
  return text.slice(0, start) + text.slice(end);
}

/** Whether the text parses without an error node; undefined when no grammar reads the language. */
export async function parses(text: string, language: string): Promise<boolean | undefined> {
  const tree = await parseCode(text, language);
  if (!tree) return undefined;
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

export async function compressCodePath(text: string, options: CodePathOptions): Promise<CodePathResult> {
  const { language } = options;
  const tokensBefore = await countTiktoken(text, 'o200k');
  const original = options.originalTokens ?? tokensBefore;
  const target = options.ratio === undefined ? 0 : Math.ceil(original * options.ratio);
  const result: CodePathResult = {
    text,
    removed: { comments: 0, docstrings: 0, blankLines: 0, blocks: [] },
    tokensBefore,
    tokensAfter: tokensBefore,
    notes: [],
  };
  const ok = await parses(text, language);
  if (ok === undefined) {
    result.notes.push(`no parser for ${language}: left as is`);
    return result;
  }
  if (!ok) {
    result.notes.push(`the ${language} source does not parse: left as is`);
    return result;
  }
  const stripped = await stripCode(text, language, {
    comments: !options.keepDocs,
    docstrings: !options.keepDocs,
    blankLines: true,
    ...(options.protect?.length ? { keep: options.protect } : {}),
  });
  if (stripped.verified === 'ast') {
    result.text = stripped.text;
    result.removed = { ...stripped.removed, blocks: [] };
  }
  if (stripped.note) result.notes.push(stripped.note);
  result.tokensAfter = await countTiktoken(result.text, 'o200k');

  // Unused blocks, one at a time, largest first, each removal re-checked: a removal that breaks
  // the parse, or that orphans a name another block still uses, is skipped.
  const protectedNames = new Set(options.protect ?? []);
  // A module that reaches its names through its own namespace (`globals()[f"_cmd_{x}"]`) uses
  // private names no identifier shows: none of its definitions goes.
  const dynamic =
    language === 'python' && /\b(?:globals|locals|vars)\s*\(\s*\)|__init_subclass__|\bmetaclass\s*=/.test(result.text);
  if (language === 'python') {
    const tree = await parseCode(result.text, language);
    if (tree)
      try {
        for (const name of namesInStrings(tree.rootNode)) protectedNames.add(name);
      } finally {
        tree.delete();
      }
  }
  for (let guard = 0; guard < 200 && result.tokensAfter > target; guard++) {
    const tree = await parseCode(result.text, language);
    if (!tree) break;
    let next: string | undefined;
    let label = '';
    try {
      const root = tree.rootNode;
      const blocks = removableBlocks(root, language).sort((a, b) => b.end - b.start - (a.end - a.start));
      for (const block of blocks) {
        if (block.defines.some((n) => protectedNames.has(n))) continue;
        // A protected span inside the block (`--protect "import json"`) keeps it whole.
        if (options.protect?.some((p) => p && !isBareName(p) && result.text.slice(block.start, block.end).includes(p)))
          continue;
        if (block.kind === 'private' && dynamic) continue;
        // Referenced anywhere outside the block itself?
        const outside = new Map<string, number>();
        const inside = new Map<string, number>();
        identifiersIn(root, outside);
        for (const node of root.namedChildren)
          if (node && node.startIndex >= block.start && node.endIndex <= block.end) identifiersIn(node, inside);
        const used = block.defines.some((n) => (outside.get(n) ?? 0) - (inside.get(n) ?? 0) > 0);
        if (used) continue;
        const candidate = cutBlock(result.text, block.start, block.end);
        if (!(await parses(candidate, language))) continue;
        next = candidate;
        label = `${block.kind}: ${block.label}`;
        break;
      }
    } finally {
      tree.delete();
    }
    if (next === undefined) break;
    result.text = next;
    result.removed.blocks.push(label);
    result.tokensAfter = await countTiktoken(result.text, 'o200k');
  }
  if (options.ratio !== undefined && result.tokensAfter > target)
    result.notes.push(
      `kept ${((result.tokensAfter / Math.max(1, original)) * 100).toFixed(0)} % of the original's tokens (asked ${(options.ratio * 100).toFixed(0)} %): code is only cut by whole comments, docstrings, blank lines and unused blocks`,
    );
  // The promise: never code that does not parse.
  if (!(await parses(result.text, language))) {
    result.text = text;
    result.tokensAfter = tokensBefore;
    result.removed = { comments: 0, docstrings: 0, blankLines: 0, blocks: [] };
    result.notes.push('the result did not parse: left as is');
  }
  return result;
}
