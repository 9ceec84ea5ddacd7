import {
  Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  visit,
  type Node as YamlNode,
} from 'yaml';
import { type EmitOptions, type JsonNode, MAX_DEPTH, stringValues, type TreeSource } from './json-source.ts';
import { CORE_BOOL, CORE_NULL, CORE_NUMBER, readsAsOtherThanText, spliceYaml } from './yaml-splice.ts';

/**
 * A YAML document read as the same tree of values a JSON document gives (jsonc-parser's nodes:
 * objects, arrays, properties, scalars, each with its place in the source), so the stages that
 * select a JSON memory's records or compress its prose strings read YAML too, and written back as
 * YAML through the `yaml` library's document, which keeps comments, key order, block and flow
 * styles and each scalar's quoting. Scalars are read with the failsafe schema, as the strings they
 * are written as: written back, `zip: 01234` and `id: 12345678901234567890` stay as written where
 * the core schema would write 1234 and 12345678901234567000.
 */

type Path = (string | number)[];
/** jsonc-parser's nodes are read-only to their readers; they are built here. */
type Building = { -readonly [K in keyof JsonNode]: JsonNode[K] };

function typeOf(scalar: Scalar): JsonNode['type'] {
  const v = String(scalar.value ?? '');
  if (scalar.type !== Scalar.PLAIN) return 'string';
  if (CORE_NULL.test(v)) return 'null';
  if (CORE_BOOL.test(v)) return 'boolean';
  if (CORE_NUMBER.test(v)) return 'number';
  return 'string';
}

/** The place of a node in the source: jsonc-parser's offset and length. */
const place = (n: YamlNode | null | undefined, at: number) => {
  const range = n?.range;
  return range ? { offset: range[0], length: Math.max(0, range[1] - range[0]) } : { offset: at, length: 0 };
};

/**
 * Where a YAML document stops parsing, or undefined when it parses: the line to look at (1-based)
 * and why. A line indented too far under a plain value ("industry: Freight" then "   tier: x") is
 * reported by the parser at the value's line as a nested mapping in a compact one; the line at
 * fault is the next, where the key it read runs on to (review: a query on such a file was dropped
 * without a word).
 */
export function yamlError(text: string): { line: number; reason: string } | undefined {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, keepSourceTokens: false });
  } catch {
    return undefined;
  }
  const [first] = doc.errors;
  if (!first) return undefined;
  const at = first.linePos?.[0]?.line ?? 1;
  const runOn = doc.errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY' && e.linePos?.[0]?.line === at);
  const next = runOn?.linePos?.[1]?.line;
  if (next !== undefined && next > at) return { line: next, reason: `indented under the value on line ${at}` };
  const message = (first.message.split('\n')[0] ?? '').replace(/\s+at line \d+, column \d+:?$/, '');
  return { line: at, reason: message.charAt(0).toLowerCase() + message.slice(1) };
}

/**
 * The tree of a YAML document whose root is a mapping or a sequence, with scalar keys, no anchor,
 * alias or merge key (a value left out would leave an alias pointing nowhere), one document, no
 * error; null otherwise.
 */
export function parseYamlSource(text: string): TreeSource | null {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, keepSourceTokens: false });
  } catch {
    return null;
  }
  if (doc.errors.length || doc.warnings.length) return null;
  const contents = doc.contents;
  if (!isMap(contents) && !isSeq(contents)) return null;
  let shared = false;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node) || ('anchor' in node && node.anchor)) {
        shared = true;
        return visit.BREAK;
      }
      return undefined;
    },
    // (A key that is no scalar is refused by build below.)
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === Scalar.PLAIN) {
        shared = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (shared) return null;

  const paths = new Map<JsonNode, Path>();
  /** The comments each value carries (its key's, its own before it, its own after it), for `piece`. */
  const comments = new Map<JsonNode, string>();
  /** The same comments' text alone, the document's opening comment left out (TreeSource.comment). */
  const said = new Map<JsonNode, string>();
  const build = (n: YamlNode | null, parent: JsonNode | undefined, path: Path, depth: number): JsonNode | null => {
    if (depth > MAX_DEPTH) return null;
    const at = parent?.offset ?? 0;
    let node: Building;
    if (isMap(n)) {
      node = { type: 'object', ...place(n, at), children: [] };
      if (parent) node.parent = parent;
      for (const pair of n.items) {
        if (!isPair(pair) || !isScalar(pair.key)) return null;
        const key = String(pair.key.value);
        const property: Building = { type: 'property', ...place(pair.key, at), parent: node, children: [] };
        const keyNode: JsonNode = { type: 'string', value: key, ...place(pair.key, at), parent: property };
        const value = build(pair.value as YamlNode | null, property, [...path, key], depth + 1);
        if (!value) return null;
        noteComments(
          value,
          pair.key,
          pair.value as YamlNode | null,
          pair === n.items[0] && depth > 1 ? n.commentBefore : null,
        );
        property.children = [keyNode, value];
        node.children?.push(property);
      }
    } else if (isSeq(n)) {
      node = { type: 'array', ...place(n, at), children: [] };
      if (parent) node.parent = parent;
      for (const [i, item] of n.items.entries()) {
        const value = build(item as YamlNode | null, node, [...path, i], depth + 1);
        if (!value) return null;
        noteComments(value, null, item as YamlNode | null, i === 0 && depth > 1 ? n.commentBefore : null);
        node.children?.push(value);
      }
    } else if (n === null || isScalar(n)) {
      // `key:` with nothing after it is a null.
      node = n
        ? { type: typeOf(n), value: n.value === null ? null : String(n.value), ...place(n, at) }
        : { type: 'null', value: null, offset: at, length: 0 };
      if (parent) node.parent = parent;
    } else return null;
    paths.set(node, path);
    return node;
  };
  /** `over`: a comment the library gave the collection, over its first item (`memories:` then `# session 0`). */
  function noteComments(value: JsonNode, key: YamlNode | null, y: YamlNode | null, over: string | null | undefined) {
    // The library gives the document's opening comment to its first key: the document's, not the key's.
    const lines = [over, key === firstKey ? null : key?.commentBefore, y?.commentBefore, y?.comment].filter(
      (c): c is string => !!c,
    );
    if (lines.length) comments.set(value, lines.map((c) => `#${c.replace(/\n/g, '\n#')}\n`).join(''));
    const own = lines.map((c) => c.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
    if (own.length) said.set(value, own.join(' '));
  }
  const firstKey = isMap(contents) && isPair(contents.items[0]) ? (contents.items[0].key as YamlNode) : null;
  const root = build(contents, undefined, [], 1);
  if (!root) return null;
  // How the source is laid out, read once: every write of the document follows it.
  const style = {
    lineWidth: 0,
    indent: indentWidth(doc, text),
    indentSeq: indentsSequences(text),
    flowCollectionPadding: false,
  };

  // Null also when the YAML written would not read back as the values meant: the caller keeps the source.
  const emit = (node: JsonNode, options: EmitOptions = {}): string | null => {
    const out = write(node, options);
    return out !== null && options.opening && paths.get(node)?.length === 0
      ? withOpening(out, opening.length, options.opening)
      : out;
  };
  const write = (node: JsonNode, options: EmitOptions): string | null => {
    const { keep, replace } = options;
    const path = paths.get(node);
    if (!path) return null;
    // The whole document: its source with the values left out cut and the new strings in place,
    // every other byte as written; the library writes it when the cuts are not whole lines. A draft
    // (unchecked) needs nothing more; a final write is checked against the copy's values below.
    const spliced =
      path.length === 0 && doc.contents ? spliceYaml(text, node, doc.contents as YamlNode, options) : null;
    if (spliced !== null && options.check === false) return spliced;
    // The document is copied for the whole, the value alone for a part (a record's cost is asked
    // for every record: a copy of the whole each time took 12 s on 700 records).
    const copy = path.length ? new Document(null, { schema: 'failsafe' }) : doc.clone();
    const found = path.length ? doc.getIn(path, true) : copy.contents;
    const target = (path.length && isNode(found) ? found.clone() : (found ?? null)) as YamlNode | null;
    if (path.length) copy.contents = target as typeof copy.contents;
    const changed: Scalar[] = [];
    /** Applies the options to `y` (the copy's node for `j`); false when it is left out. */
    const apply = (j: JsonNode, y: YamlNode | null, choosing: boolean): boolean => {
      const decided = choosing ? keep?.(j) : true;
      if (decided === false) return false;
      const all = decided === true;
      if (isMap(y) || isSeq(y)) {
        const children = j.children ?? [];
        const kept = y.items.filter((item, i) => {
          const child = children[i];
          const value = child?.type === 'property' ? child.children?.[1] : child;
          const yv = (isPair(item) ? item.value : item) as YamlNode | null;
          return value ? apply(value, yv, !all) : false;
        });
        const was = first(y);
        (y.items as unknown[]).splice(0, y.items.length, ...kept);
        // Inside the document, the library gives the comment over a collection's first item to the
        // collection (and writes one on a first item inside its `- ` line): when that item goes,
        // its comment goes, and the next item's comes up there. It had stayed behind, over the next
        // record kept. (At the top, the first item holds the document's opening comment: below.)
        const now = first(y);
        if (y !== target && now !== was) {
          y.commentBefore = now?.commentBefore ?? undefined;
          if (now) now.commentBefore = undefined;
        }
        return kept.length > 0 || all || options.keepEmpty === true;
      }
      if (!all) return false;
      const text = replace?.get(j);
      if (text !== undefined && isScalar(y)) {
        // A block scalar keeps its final line break (`|`, not `|-`); a new value that would read
        // as a number, a boolean or a null, or that plain YAML cannot hold, is quoted.
        const block = y.type === Scalar.BLOCK_LITERAL || y.type === Scalar.BLOCK_FOLDED;
        const value = block && String(y.value).endsWith('\n') && !text.endsWith('\n') ? `${text}\n` : text;
        y.value = value;
        if (y.type === Scalar.PLAIN && readsAsOtherThanText(value)) y.type = Scalar.QUOTE_DOUBLE;
        changed.push(y);
      }
      return true;
    };
    // The comment lines opening the document are its own, whatever is left out: the library gives
    // them to the first record, and they went with it.
    const head = path.length === 0 && /^\uFEFF?\s*#/.test(text) ? first(target) : null;
    const header = head?.commentBefore;
    if (!apply(node, target, keep !== undefined)) return null;
    if (header && first(target) !== head) {
      if (head) head.commentBefore = undefined;
      const now = first(target);
      if (now) now.commentBefore = now.commentBefore ? `${header}\n${now.commentBefore}` : header;
      else copy.commentBefore = header;
    }
    // What a write must read back as: built at the first check (drafts are not checked), once for
    // the tries below.
    let meant: string | undefined;
    /** What is written must read back as what was meant: the copy's values, the new ones included. */
    const readsBack = (out: string) => {
      if (options.check === false) return true;
      const back = parseDocument(out, { schema: 'failsafe' });
      meant ??= JSON.stringify(plain(target));
      return !back.errors.length && JSON.stringify(plain(back.contents as YamlNode | null)) === meant;
    };
    if (spliced !== null && readsBack(spliced)) return spliced;
    const written = (layout = style): string | null => {
      const out = copy.toString(layout);
      return readsBack(out) ? out : null;
    };
    let out = written();
    // The library writes a block scalar's indentation indicator (`|4`, for text opening with a
    // space) for a step of 2 whatever the step: at another step such a scalar reads back moved.
    // The library's own step then, rather than no document.
    if (out === null && style.indent !== 2) out = written({ ...style, indent: 2 });
    if (out === null && changed.length) {
      // A new value in its old style did not read back (a block scalar's indentation, say): quoted, any text does.
      for (const y of changed) y.type = Scalar.QUOTE_DOUBLE;
      out = written();
    }
    // Line breaks and a byte-order mark as the source has them (the library writes LF, no mark).
    if (out !== null && path.length === 0) {
      if (text.includes('\r\n')) out = out.replace(/\r?\n/g, '\r\n');
      if (text.startsWith('\uFEFF')) out = `\uFEFF${out}`;
    }
    return out;
  };
  /** The value's source lines with its key, the strings replaced spliced in (quoted, as JSON's are). */
  const piece = (node: JsonNode, replace?: ReadonlyMap<JsonNode, string>): string => {
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    let slice = text.slice(node.offset, node.offset + node.length);
    const inside = replace?.size ? stringValues(node).filter((s) => replace.has(s)) : [];
    for (const s of inside.sort((a, b) => b.offset - a.offset)) {
      const at = s.offset - node.offset;
      slice = `${slice.slice(0, at)}${JSON.stringify(replace?.get(s))}${slice.slice(at + s.length)}`;
    }
    return `${comments.get(node) ?? ''}${key ? `${String(key.value)}: ` : '- '}${slice}\n`;
  };
  const opening = openingComment(text);
  return { format: 'yaml', text, root, emit, piece, comment: (node) => said.get(node), opening };
}

/**
 * The comment lines opening a YAML text, before its first value (a file's title, its owner, its
 * last change), each without its `#`: the document's own, which the library gives to its first key.
 */
function openingComment(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
    const comment = /^[ \t]*#(.*)$/.exec(line.replace(/\r$/, ''));
    if (comment) out.push((comment[1] as string).trim());
    else if (line.trim() !== '') break;
  }
  return out;
}

/**
 * A document written with only the opening comment lines `keep` says (by their number among the
 * `count` lines), and no blank line left over the first value where none is kept. Both ways of
 * writing (the source spliced, the library) write those lines first, as they are in the source;
 * a text that does not open with `count` comment lines is given back as it is.
 */
function withOpening(out: string, count: number, keep: (line: number) => boolean): string {
  const bom = out.startsWith('\uFEFF') ? '\uFEFF' : '';
  const lines = out.slice(bom.length).split('\n');
  const head: string[] = [];
  let seen = 0;
  let at = 0;
  for (; at < lines.length && seen < count; at++) {
    const line = lines[at] as string;
    if (/^[ \t]*#/.test(line)) {
      if (keep(seen)) head.push(line);
      seen++;
    } else if (line.trim() === '') {
      if (head.length && (head.at(-1) as string).trim() !== '') head.push(line);
    } else return out;
  }
  if (seen < count) return out;
  let rest = lines.slice(at);
  if (!head.length) while (rest.length > 1 && (rest[0] as string).trim() === '') rest = rest.slice(1);
  return `${bom}${[...head, ...rest].join('\n')}`;
}

/** A node's values as plain data (failsafe: every scalar a string), to compare two documents by. */
function plain(n: YamlNode | null): unknown {
  if (isMap(n)) return n.items.map((p) => [String((p.key as Scalar).value), plain(p.value as YamlNode | null)]);
  if (isSeq(n)) return n.items.map((i) => plain(i as YamlNode | null));
  if (isScalar(n)) return n.value === null ? null : String(n.value);
  return null;
}

/**
 * Whether the source indents a block sequence under its key (`key:` then `  - item`), the `yaml`
 * library's default, or writes it at the key's column (`key:` then `- item`).
 */
function indentsSequences(text: string): boolean {
  const m = /^([ \t]*)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*([ \t]*)- /m.exec(text);
  return !m || (m[2] ?? '').length > (m[1] ?? '').length;
}

/**
 * The source's indentation step, read from the parsed document: for every block mapping that is a
 * key's value, how much deeper its first key sits than that key (`user:` then `    name:` is 4;
 * `- address:` then `      street:` is 4 too), the most common step winning. Block scalars, quoted
 * lines and comments are not structure, and the parse says which lines are. 2, the library's
 * default, when nothing nests.
 */
function indentWidth(doc: Document.Parsed, text: string): number {
  // A byte-order mark is no column.
  const column = (offset: number) => {
    const start = text.lastIndexOf('\n', offset - 1) + 1;
    return offset - start - (start === 0 && text.startsWith('\uFEFF') ? 1 : 0);
  };
  const steps = new Map<number, number>();
  visit(doc, {
    Pair(_, pair) {
      const value = pair.value;
      if (!isMap(value) || value.flow || !isScalar(pair.key) || !pair.key.range) return;
      const firstKey = value.items[0]?.key;
      if (!isScalar(firstKey) || !firstKey.range) return;
      const step = column(firstKey.range[0]) - column(pair.key.range[0]);
      if (step >= 1 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
    },
  });
  let best = 2;
  for (const [step, n] of steps) if (n > (steps.get(best) ?? 0)) best = step;
  return best;
}

type Commented = { commentBefore?: string | null };

/** Where a collection's first item carries the comment over it: a list item, or a mapping's first key. */
function first(c: unknown): Commented | null {
  if (!isMap(c) && !isSeq(c)) return null;
  const item = c.items[0];
  if (!item) return null;
  return (isPair(item) ? item.key : item) as Commented | null;
}
