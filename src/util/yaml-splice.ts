import { isMap, isPair, isScalar, isSeq, parseDocument, Scalar, type Node as YamlNode } from 'yaml';
import type { EmitOptions, JsonNode } from './json-source.ts';

/**
 * A YAML document written back by editing its source: the lines of the values left out are cut,
 * with the comment lines right above them, and the strings replaced are written in their place;
 * every other byte stays as the author wrote it (a comment's spacing, `-   key`, a flow list over
 * several lines, a plain scalar folded over lines), which writing the parsed document through the
 * `yaml` library does not keep. A key sharing its line with a `- ` goes up to its line's end, the
 * dash staying. Null when an edit is not a whole-line cut (an item of a flow list, a collection left
 * empty): the caller writes the document through the library then. The caller checks that what
 * comes out reads back as meant.
 */

/** How the core schema (YAML 1.2, what an app's parser reads) types a plain scalar. */
export const CORE_NULL = /^(?:~|null|Null|NULL|)$/;
export const CORE_BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
export const CORE_NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * Whether a new plain value could be read as something else than text by a YAML parser: YAML 1.2's
 * core schema (null, booleans, numbers) or YAML 1.1's, which many parsers still speak (PyYAML:
 * yes/no/on/off/y/n, 1_000, base 60 like 1:20, timestamps). Erring on the side of quotes costs two
 * characters; a prose string read back as `true` or a Date is a changed memory.
 */
export function readsAsOtherThanText(value: string): boolean {
  return (
    CORE_NULL.test(value) ||
    CORE_BOOL.test(value) ||
    CORE_NUMBER.test(value) ||
    /^(?:y|n|yes|no|on|off)$/i.test(value) ||
    /^[-+]?\.?\d/.test(value) ||
    /^[-+]?\.(?:inf|nan)$/i.test(value)
  );
}

interface Edit {
  from: number;
  to: number;
  text: string;
  /** A cut of whole lines: the blank lines around it are one run (`closeCuts`). */
  lines?: boolean;
}

/** Signals that an edit is no whole-line cut: the library writes the document instead. */
class NotSpliceable extends Error {}

export function spliceYaml(
  text: string,
  root: JsonNode,
  contents: YamlNode,
  options: Pick<EmitOptions, 'keep' | 'replace' | 'keepEmpty'>,
): string | null {
  const { keep, replace } = options;
  const edits: Edit[] = [];
  // A byte-order mark opens the first line; a cut starts after it.
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const lineStart = (at: number) => Math.max(bom, text.lastIndexOf('\n', at - 1) + 1);
  const lineEnd = (at: number) => {
    const nl = text.indexOf('\n', at);
    return nl < 0 ? text.length : nl + 1;
  };
  /**
   * The source span of one item of a block collection, from the start of its line (and of the
   * comment lines right above it, down to `floor`) to the end of its last line.
   */
  const span = (first: number, end: number, floor: number) => {
    const start = lineStart(first);
    const before = text.slice(start, first);
    // Its own end: what follows on its last line may only be a comment or the line break.
    const tail = end > 0 && text[end - 1] === '\n' ? end : lineEnd(end);
    if (!/^[ \t]*(?:#[^\n]*)?\r?\n?$/.test(text.slice(end, tail))) throw new NotSpliceable();
    if (before.trim() !== '') {
      if (!/^[ \t]*(?:-[ \t]+)+$/.test(before)) throw new NotSpliceable();
      // A key on its item's `- ` line (`- type: Pods`): the dash stays alone on its line and the
      // item's other keys under it, where they are, which YAML reads as the same item (review 4,
      // F-15: the library wrote the document instead, and every comment's spacing went with it).
      return {
        from: start + before.trimEnd().length,
        to: tail - (/\r?\n$/.exec(text.slice(first, tail))?.[0].length ?? 0),
      };
    }
    let from = start;
    while (from > floor) {
      const above = lineStart(from - 1);
      if (above < floor || !/^[ \t]*#/.test(text.slice(above, from))) break;
      from = above;
    }
    return { from, to: tail };
  };
  /** Where a block sequence item begins: its `-` (its value may start on a later line). */
  const dashOf = (valueStart: number) => {
    let i = valueStart - 1;
    while (i >= 0 && /\s/.test(text[i] as string)) i--;
    if (text[i] !== '-') throw new NotSpliceable();
    return i;
  };

  /** Mirrors the library path's keep rules; records the edits; false when `j` is left out. */
  const walk = (j: JsonNode, y: YamlNode | null, choosing: boolean, floor: number, inFlow = false): boolean => {
    const decided = choosing ? keep?.(j) : true;
    if (decided === false) return false;
    const all = decided === true;
    if (isMap(y) || isSeq(y)) {
      const children = j.children ?? [];
      let kept = 0;
      let previousEnd = floor;
      y.items.forEach((item, i) => {
        const before = edits.length;
        const child = children[i];
        const value = child?.type === 'property' ? child.children?.[1] : child;
        const yv = (isPair(item) ? item.value : item) as YamlNode | null;
        const first = isPair(item) ? (item.key as YamlNode).range?.[0] : yv?.range?.[0];
        // The value's own end, not its node's: an empty value's node runs over the comment lines
        // after it, which belong to the next item.
        const end = (isPair(item) ? (yv?.range?.[1] ?? (item.key as YamlNode).range?.[1]) : yv?.range?.[1]) ?? 0;
        const mark = first === undefined ? undefined : isSeq(y) && !y.flow ? dashOf(first) : first;
        const stays = value
          ? walk(value, yv, !all, mark === undefined ? previousEnd : lineStart(mark), inFlow || y.flow === true)
          : false;
        if (stays) kept++;
        else {
          if (y.flow || mark === undefined) throw new NotSpliceable();
          // What was edited inside goes with it.
          edits.length = before;
          // The comment lines opening the document are its own, whatever is left out.
          const { from, to } = span(mark, end, y === contents && i === 0 ? lineStart(mark) : previousEnd);
          // (Not after a byte-order mark: the mark would share the cut's line.)
          edits.push({ from, to, text: '', lines: from === lineStart(from) && (from > bom || !bom) });
        }
        previousEnd = Math.max(previousEnd, lineEnd(Math.max(0, end - 1)));
      });
      if (kept === 0 && !all && y.items.length && options.keepEmpty === true) throw new NotSpliceable();
      return kept > 0 || all || options.keepEmpty === true;
    }
    if (!all) return false;
    const value = replace?.get(j);
    if (value !== undefined && isScalar(y) && y.range) edits.push(scalarEdit(text, y, value, inFlow));
    return true;
  };
  try {
    if (!walk(root, contents, keep !== undefined, bom)) return null;
  } catch (error) {
    if (error instanceof NotSpliceable) return null;
    throw error;
  }
  // Whole-line cuts are marked (a line of their own) for closeCuts, when the text has no such mark.
  const mark = text.includes(CUT) ? '' : `${CUT}\n`;
  let out = text;
  for (const e of edits.sort((a, b) => b.from - a.from))
    out = `${out.slice(0, e.from)}${e.lines ? mark : e.text}${out.slice(e.to)}`;
  out = closeCuts(out);
  // The last sections cut leave the blank line above them at the end: the end as the source's.
  const ending = (t: string) => /(?:\r?\n[ \t]*)*$/.exec(t)?.[0] ?? '';
  return edits.length && ending(out).length > ending(text).length
    ? `${out.slice(0, out.length - ending(out).length)}${ending(text)}`
    : out;
}

/** Marks a whole-line cut in a text being spliced: a NUL, which no YAML text holds. */
const CUT = '\u0000';

/**
 * The blank lines around cuts (marked CUT, a line each) as one run, as long as the longest of them:
 * sections cut one after another each left the blank line between them (review 4, F-15: seven blank
 * lines in a row where the source had one between any two sections).
 */
function closeCuts(out: string): string {
  if (!out.includes(CUT)) return out;
  const lines = out.split('\n');
  // After the last line break: '' or a last line without one.
  const last = lines.pop() as string;
  const blank = (l: string) => l !== CUT && /^[ \t]*\r?$/.test(l);
  const kept: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    if (!blank(line) && line !== CUT) {
      kept.push(line);
      i++;
      continue;
    }
    let j = i;
    let cuts = 0;
    let stretch = 0;
    let longest = 0;
    let first: string | undefined;
    for (; j < lines.length && (blank(lines[j] as string) || lines[j] === CUT); j++) {
      if (lines[j] === CUT) {
        cuts++;
        stretch = 0;
      } else {
        first ??= lines[j];
        longest = Math.max(longest, ++stretch);
      }
    }
    if (cuts) for (let k = 0; k < longest; k++) kept.push(first as string);
    else kept.push(...lines.slice(i, j));
    i = j;
  }
  kept.push(last);
  return kept.join('\n');
}

/** A scalar's new value written where the old one stood, in its style where that can hold it. */
function scalarEdit(text: string, y: Scalar, value: string, inFlow: boolean): Edit {
  const [from, to] = y.range as [number, number, number];
  // A value over several lines becomes one line: the old one's folding is its own.
  const oneLine = !value.includes('\n');
  if (y.type === Scalar.PLAIN && oneLine && plainHolds(value, inFlow)) return { from, to, text: value };
  if (y.type === Scalar.QUOTE_SINGLE && oneLine) return { from, to, text: `'${value.replace(/'/g, "''")}'` };
  const block = y.type === Scalar.BLOCK_LITERAL || y.type === Scalar.BLOCK_FOLDED;
  const headerEnd = text.indexOf('\n', from);
  const newline = text.slice(from, headerEnd + 1).endsWith('\r\n') ? '\r\n' : '\n';
  if (block && headerEnd > 0) {
    const blockText = blockEdit(text, y, value, headerEnd, newline);
    if (blockText !== null) return { from: headerEnd + 1, to, text: blockText };
  }
  // JSON's string escapes are YAML's double-quoted ones: any text, on one line. A block scalar's
  // range holds its last line break: the quoted value keeps it; and a block value that ended in a
  // line break still does, as the caller means it to (yaml-source.ts).
  const closing = block && text[to - 1] === '\n' ? newline : '';
  const meant = block && String(y.value).endsWith('\n') && !value.endsWith('\n') ? `${value}\n` : value;
  return { from, to, text: `${JSON.stringify(meant)}${closing}` };
}

/**
 * A block scalar's new content under its header, at its first line's indent, or null when the
 * header would not read it back: an explicit indentation indicator, keep chomping (`+`), strip
 * chomping (`-`) of a value ending in a line break, a folded value over several lines, or a value
 * opening with a space.
 */
function blockEdit(text: string, y: Scalar, value: string, headerEnd: number, newline: string): string | null {
  const [from, to] = y.range as [number, number, number];
  const header = /^[|>]([-+]?)[ \t]*(?:#.*)?\r?$/.exec(text.slice(from, headerEnd));
  if (!header) return null;
  const strip = header[1] === '-';
  if (header[1] === '+' || (strip && value.endsWith('\n'))) return null;
  const indent = /^([ \t]*)\S/m.exec(text.slice(headerEnd + 1, to))?.[1];
  // Clip chomping reads back one final line break: the value gets it if the old one had it.
  const kept = !strip && String(y.value).endsWith('\n') && !value.endsWith('\n') ? `${value}\n` : value;
  if (!indent || /^\s/.test(kept) || (y.type === Scalar.BLOCK_FOLDED && kept.trimEnd().includes('\n'))) return null;
  const lines = kept.replace(/\n$/, '').split('\n');
  // The block ended at `to` with its line break, or at the end of the text without one.
  const closing = text[to - 1] === '\n' ? newline : '';
  return `${lines.map((l) => (l ? `${indent}${l}` : '')).join(newline)}${closing}`;
}

/** Whether `value` written plain reads back as that very text (inside a flow collection too). */
function plainHolds(value: string, inFlow: boolean): boolean {
  if (!value || value !== value.trim() || readsAsOtherThanText(value)) return false;
  if (inFlow && /[,[\]{}]/.test(value)) return false;
  const back = parseDocument(`k: ${value}\n`, { schema: 'failsafe' });
  const v = isMap(back.contents) ? back.contents.items[0]?.value : undefined;
  return !back.errors.length && isScalar(v) && v.type === Scalar.PLAIN && v.value === value;
}
