import type { Node } from 'web-tree-sitter';
import { parseCode } from '../../code/parser.ts';
import { parses } from '../../generation/strategies/code-path.ts';
import { bm25Index, terms } from './bm25.ts';

/**
 * Query-aware selection for code (LongCodeZip's coarse stage, by words rather than perplexity):
 * the functions and methods a question needs stay whole, the others keep their signature and lose
 * their body (`...` in Python, `{ /* … *\/ }` in JavaScript and TypeScript), so the program still
 * parses and still shows its whole interface, what calls what by name, and its module-level code.
 * Before, a question changed nothing on code: a 500-token module came back at 81 % whatever was
 * asked ("How is the late fee computed?" kept every installment and ledger method whole).
 *
 * Relevance is BM25 over each definition's words with identifiers split (`late_fee`, `lateFee`:
 * "late fee"), its name counted three times: a question about code names what it does, and the
 * name says that most. The bodies are given back in that order while the budget holds them; what
 * matches nothing comes last, in source order. A definition's text is read from the source the
 * caller gives for relevance (with its docstrings and comments, which the code path strips).
 *
 * Without a question, a ratio asked of code acts the same way (issue 14, item 5: before, it
 * changed nothing): the bodies the rest of the module uses least go first, and a Python body's
 * docstring stays above its `...`, so what is left reads as the module's interface and contracts.
 */

/** Languages whose function bodies this module knows how to replace. */
export const CODE_SELECT_LANGUAGES: ReadonlySet<string> = new Set(['python', 'javascript', 'typescript', 'tsx', 'go']);

export interface CodePiece {
  /** `name`, or `Class.name` for a method. */
  name: string;
  /** The body's range in the text: what a signature-only form replaces. */
  bodyStart: number;
  bodyEnd: number;
  /** Python: where the body's docstring ends, when it opens with one (kept without a query). */
  docEnd?: number;
}

/** Why no body was left out, said in the stage's note. */
export interface CodeSkipped {
  skipped: string;
  /**
   * Why no function could be told in the text: a language without a body selection, no parser for
   * it, or code that does not parse. Unset where functions were read and none could go.
   */
  unread?: 'language' | 'parser' | 'parse';
}

export interface CodeSelection {
  text: string;
  /** Definitions whose body is kept that match the query, most relevant first. */
  whole: string[];
  /** Definitions shown as their signature only, in source order. */
  signatures: string[];
  tokens: number;
}

const JS_FUNCTIONS = new Set([
  'function_declaration',
  'generator_function_declaration',
  'method_definition',
  'function_expression',
  'arrow_function',
  'function',
]);

/** The identifier's words: `late_fee`, `lateFee`, `HTTPServer` -> "late fee", "late Fee", "HTTP Server". */
export function identifierWords(text: string): string {
  return text
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/_+/g, ' ');
}

/** A body of several statements or lines: a one-line body saves nothing as `...`. */
function worthCutting(body: Node): boolean {
  return body.text.includes('\n') && body.text.trim().length > 12;
}

/** The functions and methods of a parsed module whose bodies may be replaced, in source order. */
export function codePieces(root: Node, language: string): CodePiece[] {
  const out: CodePiece[] = [];
  const visit = (node: Node, owner: string | undefined) => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (language === 'python') {
        const def = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
        if (!def) continue;
        const name = def.childForFieldName('name')?.text ?? '';
        if (def.type === 'class_definition') {
          const body = def.childForFieldName('body');
          if (body) visit(body, name);
        } else if (def.type === 'function_definition') {
          const body = def.childForFieldName('body');
          if (body && worthCutting(body)) {
            const first = body.namedChildren[0];
            const doc = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
            out.push({
              name: owner ? `${owner}.${name}` : name,
              bodyStart: body.startIndex,
              bodyEnd: body.endIndex,
              ...(doc && first ? { docEnd: first.endIndex } : {}),
            });
          }
        }
        continue;
      }
      // Go: functions, and methods named after their receiver's type (`Limiter.Allow`); review 5,
      // F-16: a Go file's question was not used.
      if (language === 'go') {
        if (child.type !== 'function_declaration' && child.type !== 'method_declaration') continue;
        const body = child.childForFieldName('body');
        const name = child.childForFieldName('name')?.text ?? '';
        const receiver = child.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type');
        const type = receiver?.text.replace(/^\*/, '').replace(/\[.*$/, '');
        if (body && worthCutting(body))
          out.push({ name: type ? `${type}.${name}` : name, bodyStart: body.startIndex, bodyEnd: body.endIndex });
        continue;
      }
      // JavaScript and TypeScript: `export` wraps a declaration; a class's body holds its methods;
      // `const f = () => {...}` is a function by its value.
      if (child.type === 'export_statement') {
        visit(child, owner);
        continue;
      }
      if (child.type === 'class_declaration' || child.type === 'abstract_class_declaration') {
        const body = child.childForFieldName('body');
        if (body) visit(body, child.childForFieldName('name')?.text);
        continue;
      }
      if (child.type === 'lexical_declaration' || child.type === 'variable_declaration') {
        for (const d of child.namedChildren) {
          const value = d?.childForFieldName('value');
          const body = value && JS_FUNCTIONS.has(value.type) ? value.childForFieldName('body') : null;
          if (d && body?.type === 'statement_block' && worthCutting(body))
            out.push({
              name: d.childForFieldName('name')?.text ?? '',
              bodyStart: body.startIndex,
              bodyEnd: body.endIndex,
            });
        }
        continue;
      }
      if (JS_FUNCTIONS.has(child.type)) {
        const body = child.childForFieldName('body');
        const name = child.childForFieldName('name')?.text ?? '';
        if (body?.type === 'statement_block' && worthCutting(body))
          out.push({ name: owner ? `${owner}.${name}` : name, bodyStart: body.startIndex, bodyEnd: body.endIndex });
      }
    }
  };
  visit(root, undefined);
  return out;
}

/** What stands for a body that is not shown. */
const elided = (language: string) => (language === 'python' ? '...' : '{ /* … */ }');

/**
 * The text with the bodies of `cut` (indices into `pieces`) replaced; with `docs`, a Python body's
 * docstring stays above its `...`: the signature and what the function promises.
 */
function render(
  text: string,
  pieces: readonly CodePiece[],
  cut: ReadonlySet<number>,
  language: string,
  docs = false,
): string {
  let out = '';
  let at = 0;
  pieces.forEach((p, k) => {
    if (!cut.has(k)) return;
    if (docs && p.docEnd !== undefined) {
      const indent = text.slice(text.lastIndexOf('\n', p.bodyStart - 1) + 1, p.bodyStart);
      out += `${text.slice(at, p.docEnd)}\n${/^\s*$/.test(indent) ? indent : '    '}${elided(language)}`;
    } else out += text.slice(at, p.bodyStart) + elided(language);
    at = p.bodyEnd;
  });
  return out + text.slice(at);
}

/** A name's uses in `text`: as a word, not inside a longer identifier. */
function uses(text: string, name: string): number {
  if (!name) return 0;
  const escaped = name.replace(/[$]/g, '\\$');
  return [...text.matchAll(new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, 'g'))].length;
}

/**
 * Without a question, what a definition is worth keeping whole: how often the rest of the module
 * uses it (its name outside its own body, less its definition), a constructor its class's uses.
 * What the module leans on says most of how it works; what nothing calls is the easiest to show by
 * its signature. A public name (no leading underscore) counts half a use more.
 */
function centrality(text: string, pieces: readonly CodePiece[]): number[] {
  return pieces.map((p) => {
    const parts = p.name.split('.');
    const own = parts.at(-1) ?? '';
    const name = (own === '__init__' || own === 'constructor') && parts.length > 1 ? (parts[0] as string) : own;
    const outside = text.slice(0, p.bodyStart) + text.slice(p.bodyEnd);
    return Math.max(0, uses(outside, name) - 1) + (name.startsWith('_') ? 0 : 0.5);
  });
}

/** Each piece's text in `source` (a definition found there by name), or its own body's. */
async function piecesText(source: string, language: string, pieces: readonly CodePiece[], text: string) {
  const own = pieces.map((p) => text.slice(p.bodyStart, p.bodyEnd));
  const tree = await parseCode(source, language);
  if (!tree) return own;
  try {
    const found = new Map(
      codePieces(tree.rootNode, language).map((p) => [p.name, source.slice(p.bodyStart, p.bodyEnd)]),
    );
    return pieces.map((p, k) => found.get(p.name) ?? (own[k] as string));
  } finally {
    tree.delete();
  }
}

/** BM25 of the question over each definition's words, its name counted three times. */
async function relevance(
  text: string,
  pieces: readonly CodePiece[],
  language: string,
  query: string,
  source: string | undefined,
): Promise<Float64Array> {
  const bodies = await piecesText(source ?? text, language, pieces, text);
  const docs = pieces.map((p, k) => {
    const name = identifierWords(p.name.replace('.', ' '));
    return `${name} ${name} ${name} ${identifierWords(bodies[k] as string)}`;
  });
  return bm25Index(docs).score(terms(identifierWords(query)));
}

/**
 * Bodies cut, least relevant first, until the text fits `budget` tokens or every body is cut. When
 * none is (the language is not one of CODE_SELECT_LANGUAGES, the text does not parse, no body is
 * long enough, the only one is the best match, or the result would not parse), why. The result
 * parses (checked).
 */
export async function selectCodeForQuery(
  text: string,
  options: {
    language: string;
    /**
     * The question the bodies are chosen for. Without one (a ratio asked of code), the bodies the
     * module uses least go first (`centrality`), and a Python body's docstring stays.
     */
    query?: string;
    budget: number;
    count: (text: string) => number;
    /** The code before comments and docstrings were stripped: what relevance reads. */
    source?: string;
  },
): Promise<CodeSelection | CodeSkipped> {
  const { language, query, budget, count } = options;
  if (!CODE_SELECT_LANGUAGES.has(language))
    return {
      skipped: `only Python, JavaScript, TypeScript and Go bodies ${query === undefined ? 'can be left out' : 'are chosen by a question'}, not ${language}`,
      unread: 'language',
    };
  const tree = await parseCode(text, language);
  if (!tree) return { skipped: `no parser for ${language}`, unread: 'parser' };
  let pieces: CodePiece[];
  try {
    if (tree.rootNode.hasError)
      return { skipped: 'the code does not parse, so no body could be chosen', unread: 'parse' };
    pieces = codePieces(tree.rootNode, language);
  } finally {
    tree.delete();
  }
  if (!pieces.length) return { skipped: 'no function or method body long enough to leave out' };
  const docs = query === undefined;
  const score = docs ? centrality(text, pieces) : await relevance(text, pieces, language, query, options.source);
  // What cutting each body saves, counted once: the greedy passes add these up rather than count
  // the whole text again at every step (a 140 KB module has hundreds of bodies), and the result is
  // counted exactly at the end, cutting on if the sums fell short.
  const saves = pieces.map((p) => {
    const from = docs && p.docEnd !== undefined ? p.docEnd : p.bodyStart;
    return count(text.slice(from, p.bodyEnd)) - count(elided(language));
  });
  // Least relevant first; among equals, the later in the file first (the earlier stays longer),
  // without a question the longer body first (fewer bodies go for the budget). The best match is
  // never cut: it is what the question asks about, or what the module uses most, even when the
  // signatures alone are over the budget (a note says so).
  const ranked = pieces
    .map((_, k) => k)
    .sort(
      (a, b) =>
        (score[a] as number) - (score[b] as number) ||
        (docs ? (saves[b] as number) - (saves[a] as number) : 0) ||
        b - a,
    );
  const best = ranked.at(-1) as number;
  // A body that is its docstring and a line saves nothing to cut.
  const order = ((score[best] as number) > 0 ? ranked.slice(0, -1) : ranked).filter((k) => (saves[k] as number) > 0);
  const cut = new Set<number>();
  let estimate = count(text);
  for (const k of order) {
    if (estimate <= budget) break;
    cut.add(k);
    estimate -= saves[k] as number;
  }
  if (!cut.size)
    return {
      skipped: order.length
        ? 'the code fits the budget'
        : docs
          ? 'the only body long enough to leave out is kept whole (the module is little more than it)'
          : 'the only body long enough to leave out is the one the question asks about, kept whole',
    };
  // Cut only as many as the budget needs: a body given back if it still fits, most relevant first.
  for (const k of [...order].reverse()) {
    if (!cut.has(k) || estimate + (saves[k] as number) > budget) continue;
    cut.delete(k);
    estimate += saves[k] as number;
  }
  let out = render(text, pieces, cut, language, docs);
  let tokens = count(out);
  for (const k of order) {
    if (tokens <= budget) break;
    if (cut.has(k)) continue;
    cut.add(k);
    out = render(text, pieces, cut, language, docs);
    tokens = count(out);
  }
  if (!(await parses(out, language)))
    return { skipped: 'leaving bodies out would have broken the parse, so none was left out' };
  return {
    text: out,
    whole: [...ranked]
      .reverse()
      .filter((k) => !cut.has(k) && (score[k] as number) > 0)
      .map((k) => (pieces[k] as CodePiece).name),
    signatures: pieces.filter((_, k) => cut.has(k)).map((p) => p.name),
    tokens,
  };
}
