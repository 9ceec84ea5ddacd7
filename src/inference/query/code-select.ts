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
 */

/** Languages whose function bodies this module knows how to replace. */
export const CODE_SELECT_LANGUAGES: ReadonlySet<string> = new Set(['python', 'javascript', 'typescript', 'tsx']);

export interface CodePiece {
  /** `name`, or `Class.name` for a method. */
  name: string;
  /** The body's range in the text: what a signature-only form replaces. */
  bodyStart: number;
  bodyEnd: number;
}

/** Why no body was left out, said in the stage's note. */
export interface CodeSkipped {
  skipped: string;
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
          if (body && worthCutting(body))
            out.push({ name: owner ? `${owner}.${name}` : name, bodyStart: body.startIndex, bodyEnd: body.endIndex });
        }
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

/** The text with the bodies of `cut` (indices into `pieces`) replaced. */
function render(text: string, pieces: readonly CodePiece[], cut: ReadonlySet<number>, language: string): string {
  let out = '';
  let at = 0;
  pieces.forEach((p, k) => {
    if (!cut.has(k)) return;
    out += text.slice(at, p.bodyStart) + elided(language);
    at = p.bodyEnd;
  });
  return out + text.slice(at);
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
    query: string;
    budget: number;
    count: (text: string) => number;
    /** The code before comments and docstrings were stripped: what relevance reads. */
    source?: string;
  },
): Promise<CodeSelection | CodeSkipped> {
  const { language, query, budget, count } = options;
  if (!CODE_SELECT_LANGUAGES.has(language))
    return { skipped: `only Python, JavaScript and TypeScript bodies are chosen by a question, not ${language}` };
  const tree = await parseCode(text, language);
  if (!tree) return { skipped: `no parser for ${language}` };
  let pieces: CodePiece[];
  try {
    if (tree.rootNode.hasError) return { skipped: 'the code does not parse, so no body could be chosen' };
    pieces = codePieces(tree.rootNode, language);
  } finally {
    tree.delete();
  }
  if (!pieces.length) return { skipped: 'no function or method body long enough to leave out' };
  const bodies = await piecesText(options.source ?? text, language, pieces, text);
  const docs = pieces.map((p, k) => {
    const name = identifierWords(p.name.replace('.', ' '));
    return `${name} ${name} ${name} ${identifierWords(bodies[k] as string)}`;
  });
  const score = bm25Index(docs).score(terms(identifierWords(query)));
  // Least relevant first; among equals, the later in the file first (the earlier stays longer).
  // The best match is never cut: it is what the question asks about, even when the signatures
  // alone are over the budget (a note says so).
  const ranked = pieces.map((_, k) => k).sort((a, b) => (score[a] as number) - (score[b] as number) || b - a);
  const best = ranked.at(-1) as number;
  const order = (score[best] as number) > 0 ? ranked.slice(0, -1) : ranked;
  // What cutting each body saves, counted once: the greedy passes add these up rather than count
  // the whole text again at every step (a 140 KB module has hundreds of bodies), and the result is
  // counted exactly at the end, cutting on if the sums fell short.
  const saves = pieces.map((p) => count(text.slice(p.bodyStart, p.bodyEnd)) - count(elided(language)));
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
        : 'the only body long enough to leave out is the one the question asks about, kept whole',
    };
  // Cut only as many as the budget needs: a body given back if it still fits, most relevant first.
  for (const k of [...order].reverse()) {
    if (!cut.has(k) || estimate + (saves[k] as number) > budget) continue;
    cut.delete(k);
    estimate += saves[k] as number;
  }
  let out = render(text, pieces, cut, language);
  let tokens = count(out);
  for (const k of order) {
    if (tokens <= budget) break;
    if (cut.has(k)) continue;
    cut.add(k);
    out = render(text, pieces, cut, language);
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
