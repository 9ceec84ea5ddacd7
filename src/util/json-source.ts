import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';

/**
 * A JSON document read with each value's place in the source (jsonc-parser's tree), and written
 * back minified from those places: numbers, strings and escapes stay as written ("1.50", "1e3", an
 * id past 2^53), which JSON.parse and JSON.stringify would rewrite, and only what the caller
 * leaves out or replaces changes.
 */

export type JsonNode = Node;

/** Deeper than this, a document is left as it is: writing it back recurses once a level. */
export const MAX_DEPTH = 256;

/** The text without a leading byte-order mark, which the parser refuses (offsets are into this text). */
export const withoutBom = (text: string): string => text.replace(/^\uFEFF/, '');

/**
 * The tree of an object or an array that parses strictly (no comment, no trailing comma) and is at
 * most MAX_DEPTH deep, or null. `lenient`: comments, trailing commas and the faults of RECOVERED
 * are read past, and a value the text's end may have cut (a string, a number) is left out with its
 * item or property. Offsets index `text` as given: pass it through withoutBom first.
 */
export function parseJsonSource(text: string, options: { lenient?: boolean } = {}): JsonNode | null {
  if (nestsDeeperThan(text, MAX_DEPTH)) return null;
  if (options.lenient) return lenientTree(text, true);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  return errors.length ? null : shallowEnough(root);
}

/** parseJsonSource's lenient read; `endMayBeCut`: the text's last value may be cut (not after a cut here). */
function lenientTree(text: string, endMayBeCut: boolean): JsonNode | null {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: false, allowTrailingComma: true });
  const codes = errors.map((e) => printParseErrorCode(e.error));
  // A comma is missing only between values on lines of their own: a value right after a string on
  // its line is a quote left unescaped ("code is "4471" at the gym"), a CSV's doubled quotes
  // (""Biscuit""), and reading on would split one value into several (review).
  const readPast = (e: ParseError, code: string) =>
    RECOVERED.has(code) && (code !== 'CommaExpected' || /\n\s*$/.test(text.slice(0, e.offset)));
  if (errors.every((e, k) => readPast(e, codes[k] as string))) {
    // Cut after a number or a word that ends the text ("amount": 14 of 1450): it may be cut too,
    // and goes with its item or property.
    const last =
      endMayBeCut && codes.some((c) => c === 'CloseBraceExpected' || c === 'CloseBracketExpected')
        ? LAST_SCALAR.exec(text)
        : null;
    return last ? lenientTree(cutBefore(text, last.index), false) : shallowEnough(root);
  }
  // A document cut inside its last string (an app's memory cut at so many characters): read up to
  // the value the cut string is, or the item or property it opens, which is left out. A string
  // that breaks at a line end in the middle is no cut: the text goes on past it (a quote follows).
  const k = codes.indexOf('UnexpectedEndOfString');
  const cut = errors[k];
  if (!endMayBeCut || !cut || !/^"(?:[^"\\]|\\[\s\S])*\\?$/.test(text.slice(cut.offset))) return null;
  return lenientTree(cutBefore(text, cut.offset), false);
}

/**
 * What a lenient read of `text` went past, in words, for a note: "a trailing comma", "a comment
 * (dropped)", "a missing comma", "an unclosed end", "a last value cut short (left out)".
 */
export function jsonFaults(text: string): string[] {
  if (nestsDeeperThan(text, MAX_DEPTH)) return [];
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const out = new Set<string>();
  for (const e of errors) {
    const code = printParseErrorCode(e.error);
    if (code === 'InvalidCommentToken') out.add('a comment (dropped)');
    else if (code === 'CommaExpected') out.add('a missing comma');
    else if ((code === 'ValueExpected' || code === 'PropertyNameExpected') && /^\s*[\]}]/.test(text.slice(e.offset)))
      out.add('a trailing comma');
    else if (code === 'UnexpectedEndOfString') out.add('a last value cut short (left out)');
    else if (code === 'CloseBraceExpected' || code === 'CloseBracketExpected') out.add('an unclosed end');
  }
  // A number or word ending a cut document is left out as a cut string is (lenientTree).
  if (out.has('an unclosed end') && LAST_SCALAR.test(text)) out.add('a last value cut short (left out)');
  return [...out];
}

/**
 * Whether the text's brackets (outside its strings) open more than `limit` deep. The parser recurses
 * once a level: 4,000 levels ('{"a":{"a":...') overflowed the stack and the compressor threw "Maximum
 * call stack size exceeded" (found by a fuzz, session 40). Such a document is left as it is anyway
 * (MAX_DEPTH), so it is not parsed; this scan is linear and needs no stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (inString) {
      if (c === 92)
        k++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth = Math.max(0, depth - 1);
  }
  return false;
}

/** A number or a word for a value ending the text: the end of a cut document may have cut it. */
const LAST_SCALAR = /(?:-?\d[\d.eE+-]*|true|false|null)\s*$/;

/** The text before `at`, without the key a value there was for, nor a comma left hanging. */
const cutBefore = (text: string, at: number) =>
  text
    .slice(0, at)
    .replace(/"(?:[^"\\\n]|\\.)*"\s*:\s*$/, '')
    .replace(/[\s,]*$/, '');

/** An object or array root at most MAX_DEPTH deep, or null. */
function shallowEnough(root: JsonNode | undefined): JsonNode | null {
  if (!root || (root.type !== 'object' && root.type !== 'array')) return null;
  const stack: [JsonNode, number][] = [[root, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > MAX_DEPTH) return null;
    for (const child of node.children ?? []) stack.push([child, depth + (child.type === 'property' ? 0 : 1)]);
  }
  return root;
}

/**
 * What a lenient read goes past, besides comments and trailing commas: a comma missing between two
 * values on lines of their own, and a document cut after a whole value (the brackets left open).
 * Each leaves every value whole where it was written; a value missing or a word for a value (NaN,
 * 'single quotes') does not, and such a text is no tree.
 */
const RECOVERED: ReadonlySet<string> = new Set(['CommaExpected', 'CloseBraceExpected', 'CloseBracketExpected']);

/** An object property's key, as it reads ("allergies"). */
export const keyOf = (property: JsonNode): string => String(property.children?.[0]?.value ?? '');

/** A property's value node, or the node itself for an array item. */
export const valueNode = (node: JsonNode): JsonNode | undefined =>
  node.type === 'property' ? node.children?.[1] : node;

/** The string values in a value, itself when it is one (not object keys), in document order. */
export function stringValues(node: JsonNode): JsonNode[] {
  if (node.type === 'string') return [node];
  return (node.children ?? []).flatMap((child) => {
    const value = valueNode(child);
    return value ? stringValues(value) : [];
  });
}

export interface EmitOptions {
  /**
   * Which values are written: true, whole; false, left out; undefined, the parts of it that are
   * kept (a container with none, or a scalar, is left out). Called on values (array items and
   * properties' values), not on properties. Without it, everything is written.
   */
  keep?: (value: JsonNode) => boolean | undefined;
  /** String values written as these texts instead (JSON-escaped here). */
  replace?: ReadonlyMap<JsonNode, string>;
  /** A container whose parts were all left out is written empty (`[]`), not left out with its key. */
  keepEmpty?: boolean;
  /**
   * YAML: read what is written back, and give null unless it says what was meant (the default).
   * Off for the drafts a selection writes only to count them; its final text is checked.
   */
  check?: boolean;
  /**
   * YAML, the whole document: which of its opening comment lines (TreeSource.opening, by their
   * number) are written; all without it.
   */
  opening?: (line: number) => boolean;
}

/**
 * A document of values, JSON or YAML, read into one tree of nodes: what selects its records or
 * compresses its strings reads the tree, and writes the result back in the document's own format.
 */
export interface TreeSource {
  format: 'json' | 'yaml' | 'toml' | 'ini';
  /** The source text (the nodes' offsets index it). */
  text: string;
  root: JsonNode;
  /**
   * The document, or one value of it alone, as written but for what `options` leaves out or
   * replaces; null when all is left out.
   */
  emit(node: JsonNode, options?: EmitOptions): string | null;
  /**
   * A value alone with its key, as it would add to the document, for counting: close to what
   * `emit` writes, and cheap, as it is asked of every record (the whole is counted once written).
   */
  piece(node: JsonNode, replace?: ReadonlyMap<JsonNode, string>): string;
  /**
   * YAML: the text of the comments a value carries (its key's, the lines right over it, the one
   * after it on its line), without `#`, for reading what it means; not the document's opening
   * comment. Undefined for none (and for JSON, which has none).
   */
  comment?(node: JsonNode): string | undefined;
  /** YAML: the comment lines opening the document, before its first value, each without its `#`. */
  opening?: readonly string[];
}

/**
 * A JSON document (see parseJsonSource) as a TreeSource, written back minified. `lenient`: a text
 * that is no strict JSON but reads past its faults (parseJsonSource) is one too, written back as
 * valid JSON.
 */
export function jsonTreeSource(raw: string, options: { lenient?: boolean } = {}): TreeSource | null {
  const text = withoutBom(raw);
  const root = parseJsonSource(text, options);
  if (!root) return null;
  return {
    format: 'json',
    text,
    root,
    emit: (node, options) => emitJson(text, node, options),
    piece: (node, replace) => {
      const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      const k = key ? `${text.slice(key.offset, key.offset + key.length)}:` : '';
      return `${k}${emitJson(text, node, replace ? { replace } : {}) ?? ''},`;
    },
  };
}

/** The document minified, as written but for what `options` leaves out or replaces; null when all is left out. */
export function emitJson(text: string, node: JsonNode, options: EmitOptions = {}): string | null {
  const { keep, replace } = options;
  const write = (n: JsonNode, choosing: boolean): string | null => {
    const decided = choosing ? keep?.(n) : true;
    if (decided === false) return null;
    const all = decided === true;
    if (n.type === 'object' || n.type === 'array') {
      const parts = (n.children ?? []).flatMap((child) => {
        const value = valueNode(child);
        const v = value ? write(value, !all) : null;
        const key = child.children?.[0];
        if (v === null) return [];
        return n.type === 'array' || !key ? [v] : [`${text.slice(key.offset, key.offset + key.length)}:${v}`];
      });
      if (!parts.length && !all && !options.keepEmpty) return null;
      return n.type === 'object' ? `{${parts.join(',')}}` : `[${parts.join(',')}]`;
    }
    if (!all) return null;
    const replaced = replace?.get(n);
    return replaced !== undefined ? JSON.stringify(replaced) : text.slice(n.offset, n.offset + n.length);
  };
  return write(node, keep !== undefined);
}
