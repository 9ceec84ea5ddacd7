import { parse as parseToml, TomlError } from 'smol-toml';
import { type EmitOptions, type JsonNode, stringValues, type TreeSource } from './json-source.ts';

/**
 * A TOML or INI config read as the same tree of values a JSON or YAML document gives (jsonc-parser's
 * nodes), so a query's selection reads its records as it reads YAML's: `[section]` headers are
 * objects, `[[array]]` headers the items of a list, `key = value` lines their fields, and the comment
 * lines over a key or a header go with it (and are read with it, `comment`). Written back by cutting
 * whole lines of the source, never re-serialised: what is kept is byte for byte as written, and a
 * kept key comes with its section's header (or it would land in another table). TOML is checked by
 * smol-toml, before (a text it refuses is no config read here) and after a cut.
 */

export type ConfigFormat = 'toml' | 'ini';

/** jsonc-parser's nodes are read-only to their readers; they are built here. */
type Building = { -readonly [K in keyof JsonNode]: JsonNode[K] };

interface Line {
  /** The line's text without its line break. */
  text: string;
  /** Where it starts in the text (a byte-order mark left out). */
  start: number;
}

/** What a node writes of its own: its comment lines and its key's or header's lines, by number. */
interface Own {
  lines: number[];
}

/**
 * A `[section]` or `[[array]]` header, with a comment after it allowed. Its name runs greedily to its
 * last non-space (a lazy one was quadratic on an unclosed "[" before a long run of spaces).
 */
const HEADER = /^[ \t]*(\[\[?)[ \t]*([^[\]\s](?:[^[\]]*[^[\]\s])?)[ \t]*(\]\]?)[ \t]*(?:[#;].*)?$/;
/** A TOML key (bare, quoted or dotted) and the rest of its line after `=`. */
const TOML_KEY =
  /^[ \t]*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)[ \t]*=[ \t]*/;
/**
 * An INI key: any text up to `=` or `:` that starts with no bracket or comment sign, to its last
 * non-space (greedy: a lazy key tried "[ \t]*[=:]" after each character, quadratic on a line with a
 * long run of spaces).
 */
export const INI_KEY = /^[ \t]*([^\s=:;#[](?:[^=:]*[^\s=:])?)[ \t]*[=:][ \t]*/;

/** Where a TOML value written from `at` on `line` ends (its comment left out), or null while open. */
function tomlValueEnd(
  text: string,
  from: number,
): { end: number; comment: string | undefined } | { open: string; depth: number } {
  let depth = 0;
  let end = from;
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      const q = text.slice(i, i + 3);
      const close = text.indexOf(q, i + 3);
      if (close < 0) return { open: q, depth };
      // A closing run may hold up to two more quotes of its own (`""""` ends on the last three).
      let k = close + 3;
      while (text[k] === q[0] && k < close + 5) k++;
      i = k - 1;
      end = k;
      continue;
    }
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < text.length && text[k] !== c) k += c === '"' && text[k] === '\\' ? 2 : 1;
      i = k;
      end = k + 1;
      continue;
    }
    // A value over several lines ends on the line where its brackets close.
    if (c === '\n' && depth === 0) break;
    if (c === '#') {
      // Inside an array over several lines a comment runs to its line's end only.
      const eol = text.indexOf('\n', i);
      if (depth === 0) return { end, comment: text.slice(i + 1, eol < 0 ? undefined : eol).trim() || undefined };
      if (eol < 0) break;
      i = eol;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    if (!/\s/.test(c)) end = i + 1;
  }
  return depth > 0 ? { open: '[', depth } : { end, comment: undefined };
}

/** A scalar's type and value for ranking: a string's text without its quotes, else as written. */
function scalarOf(raw: string, format: ConfigFormat): Pick<Building, 'type' | 'value'> {
  if (format === 'ini') return { type: 'string', value: raw.replace(/^(["'])([\s\S]*)\1$/, '$2') };
  if (/^"(?:[^"\\]|\\.)*"$/.test(raw))
    try {
      return { type: 'string', value: JSON.parse(raw) as string };
    } catch {
      return { type: 'string', value: raw.slice(1, -1) };
    }
  if (/^'[^']*'$/.test(raw)) return { type: 'string', value: raw.slice(1, -1) };
  if (/^("""|''')[\s\S]*\1$/.test(raw)) return { type: 'string', value: raw.slice(3, -3).replace(/^\r?\n/, '') };
  if (/^(?:true|false)$/.test(raw)) return { type: 'boolean', value: raw === 'true' };
  if (/^[+-]?(?:\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?|0x[\da-fA-F_]+|0o[0-7_]+|0b[01_]+|inf|nan)$/.test(raw))
    return { type: 'number', value: Number(raw.replace(/_/g, '')) };
  // A date, an array or an inline table: its text, for ranking.
  return { type: 'string', value: raw };
}

/** A key as it reads: a quoted one without its quotes, a dotted one with its parts spaced. */
const keyText = (key: string) =>
  key
    .split(/[ \t]*\.[ \t]*(?=(?:[^"']|"[^"]*"|'[^']*')*$)/)
    .map((p) => p.replace(/^"(.*)"$|^'(.*)'$/, '$1$2'))
    .join('.');

/**
 * Where a TOML or INI config stops reading, or undefined when it reads: the line (1-based) and why,
 * for the note saying a query was not used (as YAML's, yaml-source.ts `yamlError`).
 */
export function configError(raw: string, format: ConfigFormat): { line: number; reason: string } | undefined {
  const text = raw.replace(/^\uFEFF/, '');
  if (format === 'toml')
    try {
      parseToml(text);
    } catch (error) {
      if (error instanceof TomlError)
        return {
          line: error.line,
          reason: (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, ''),
        };
      return { line: 1, reason: String(error) };
    }
  if (parseConfigSource(raw, format)) return undefined;
  const comment = format === 'ini' ? /^[ \t]*[#;]/ : /^[ \t]*#/;
  const key = format === 'toml' ? TOML_KEY : INI_KEY;
  const at = text.split(/\r?\n/).findIndex((l) => l.trim() && !comment.test(l) && !HEADER.test(l) && !key.test(l));
  return at < 0 ? undefined : { line: at + 1, reason: 'no section, key or comment' };
}

/** An INI line whose value goes on over the next line: it ends in a backslash. */
export const continues = (line: string): boolean => /\\\s*$/.test(line);

/**
 * The tree of a TOML or INI config with at least one `[section]` or `key = value` line and nothing
 * else but comments and blank lines, or null (TOML that smol-toml refuses is null too). A section
 * named twice in INI, or a dotted header, stays one flat name (`[a.b]` is the object "a.b").
 */
export function parseConfigSource(raw: string, format: ConfigFormat): TreeSource | null {
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = raw.slice(bom.length);
  if (format === 'toml') {
    try {
      parseToml(text);
    } catch {
      return null;
    }
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines: Line[] = [];
  for (let start = 0; start <= text.length; ) {
    const at = text.indexOf('\n', start);
    const stop = at < 0 ? text.length : at;
    lines.push({ text: text.slice(start, stop).replace(/\r$/, ''), start });
    if (at < 0) break;
    start = at + 1;
  }
  const endsWithBreak = /\r?\n$/.test(text);
  if (endsWithBreak) lines.pop();

  const root: Building = { type: 'object', offset: 0, length: text.length, children: [] };
  const own = new Map<JsonNode, Own>();
  const said = new Map<JsonNode, string>();
  const comment = format === 'ini' ? /^[ \t]*[#;]/ : /^[ \t]*#/;
  /** The comment lines waiting for the key or header under them. */
  let pending: number[] = [];
  const opening: string[] = [];
  let seenItem = false;
  let table: Building = root;
  const arrays = new Map<string, Building>();
  const sections = new Map<string, Building>();
  /** The last item of the longest array of tables a dotted table name opens with, and the name's rest. */
  const itemOf = (name: string): { item: Building; rest: string } | undefined => {
    for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
      const item = arrays.get(name.slice(0, dot))?.children?.at(-1) as Building | undefined;
      if (item) return { item, rest: name.slice(dot + 1) };
    }
    return undefined;
  };
  const property = (holder: Building, key: string, value: Building, at: number) => {
    const p: Building = { type: 'property', offset: at, length: 0, parent: holder, children: [] };
    const k: JsonNode = { type: 'string', value: key, offset: at, length: key.length, parent: p };
    value.parent = p;
    p.children = [k, value];
    holder.children?.push(p);
  };
  const attach = (node: JsonNode, itemLines: number[], trailing: string | undefined) => {
    own.set(node, { lines: [...pending, ...itemLines] });
    const words = [...pending.map((i) => (lines[i] as Line).text.replace(comment, '').trim()), trailing ?? ''].filter(
      Boolean,
    );
    if (words.length) said.set(node, words.join(' '));
    pending = [];
    seenItem = true;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    if (!line.text.trim()) {
      // Before the first key or header, the comment lines are the document's opening (as YAML's).
      if (!seenItem && pending.length) {
        for (const c of pending) opening.push((lines[c] as Line).text.replace(comment, '').trim());
        pending = [];
      }
      continue;
    }
    if (comment.test(line.text)) {
      pending.push(i);
      continue;
    }
    if (!seenItem && pending.length) {
      // The comment lines opening the file, right over its first key, are the file's: its title.
      for (const c of pending) opening.push((lines[c] as Line).text.replace(comment, '').trim());
      pending = [];
    }
    const header = HEADER.exec(line.text);
    if (
      header &&
      (header[1] === '[' || format === 'toml') &&
      (header[1] as string).length === (header[3] as string).length
    ) {
      const name = keyText(header[2] as string);
      const trailing = /[#;](.*)$/.exec(line.text.slice(line.text.lastIndexOf(']') + 1))?.[1]?.trim() || undefined;
      const node: Building = { type: 'object', offset: line.start, length: 0, children: [] };
      if (header[1] === '[[') {
        let list = arrays.get(name);
        if (!list) {
          list = { type: 'array', offset: line.start, length: 0, children: [] };
          property(root, name, list, line.start);
          arrays.set(name, list);
        }
        node.parent = list;
        list.children?.push(node);
      } else {
        // A table under an array of tables' item (`[package.dependencies]` after `[[package]]`, as
        // in poetry.lock or Cargo.lock) belongs to its last item, once per item: read as a table of
        // the file, its second item's was "named twice" and the whole lock file was no config.
        const under = format === 'toml' ? itemOf(name) : undefined;
        const key = under ? `${under.item.offset}:${name}` : name;
        if (sections.has(key) || (!under && arrays.has(name))) return null;
        sections.set(key, node);
        if (under) property(under.item, under.rest, node, line.start);
        else property(root, name, node, line.start);
      }
      attach(node, [i], trailing);
      table = node;
      continue;
    }
    const key = (format === 'toml' ? TOML_KEY : INI_KEY).exec(line.text);
    if (!key) return null;
    const name = format === 'toml' ? keyText(key[1] as string) : (key[1] as string);
    // The value from its first character to its end, over more lines while a string or a bracket is open.
    const from = line.start + key[0].length;
    const itemLines = [i];
    let end: number;
    let trailing: string | undefined;
    if (format === 'ini') {
      // A value continued over lines ending in `\` (a systemd unit's `ExecStart=... \` over its
      // options): one value with its lines, kept or left whole; its options read as keys of their
      // own did not parse, and the unit was read as shell (session 40 F5).
      let last = i;
      while (continues((lines[last] as Line).text) && last + 1 < lines.length) itemLines.push(++last);
      i = last;
      const at = lines[last] as Line;
      end = at.start + at.text.replace(/\s+$/, '').length;
    } else {
      let read = tomlValueEnd(text.slice(from, line.start + line.text.length), 0);
      let last = i;
      if ('open' in read) {
        // Read once to where it closes (line by line, each time from its start, was quadratic: a
        // 6,000-line array took 2.6 s), then its lines.
        read = tomlValueEnd(text.slice(from), 0);
        if ('open' in read) return null;
        const stop = from + read.end;
        while (last + 1 < lines.length && (lines[last + 1] as Line).start < stop) itemLines.push(++last);
      }
      i = last;
      end = from + read.end;
      trailing = read.comment;
    }
    if (end < from) end = from;
    const rawValue = text.slice(from, end);
    const value: Building = { ...scalarOf(rawValue, format), offset: from, length: end - from };
    property(table, name, value, line.start);
    attach(value, itemLines, trailing);
  }
  if (!root.children?.length) return null;
  // Comment lines after the last key go with it (written whenever it is), not lost from a whole write.
  const lastItem = [...own.values()].at(-1);
  if (pending.length && lastItem) lastItem.lines.push(...pending);
  /** The lines written for `node` under `options`, with the header lines its kept parts need. */
  const chosen = (node: JsonNode, options: EmitOptions): Set<number> | null => {
    const out = new Set<number>();
    const write = (n: JsonNode, choosing: boolean): boolean => {
      const decided = choosing ? options.keep?.(n) : true;
      if (decided === false) return false;
      const all = decided === true;
      if (n.type === 'object' || n.type === 'array') {
        let any = false;
        for (const child of n.children ?? []) {
          const v = child.type === 'property' ? child.children?.[1] : child;
          if (v && write(v, !all)) any = true;
        }
        if (!any && !all && !options.keepEmpty) return false;
        for (const l of own.get(n)?.lines ?? []) out.add(l);
        return true;
      }
      if (!all) return false;
      for (const l of own.get(n)?.lines ?? []) out.add(l);
      return true;
    };
    return write(node, options.keep !== undefined) ? out : null;
  };
  /** A line as written, the replaced strings of `replace` in place (TOML: as JSON strings, which TOML reads). */
  const lineText = (i: number, replace: ReadonlyMap<JsonNode, string> | undefined, values: Map<number, JsonNode>) => {
    const line = lines[i] as Line;
    const v = values.get(i);
    const next = v ? replace?.get(v) : undefined;
    if (!v || next === undefined || /[\r\n]/.test(next)) return line.text;
    const at = v.offset - line.start;
    // An INI value in quotes keeps them (its reader strips them); TOML reads a JSON string as a basic string.
    const quote =
      format === 'ini' ? /^(["'])[\s\S]*\1$/.exec(text.slice(v.offset, v.offset + v.length))?.[1] : undefined;
    if (quote && next.includes(quote)) return line.text;
    const written = format === 'toml' ? JSON.stringify(next) : `${quote ?? ''}${next}${quote ?? ''}`;
    return `${line.text.slice(0, at)}${written}${line.text.slice(at + v.length)}`;
  };
  // The replaceable strings by their key's line: one line each (a multi-line string is left as written).
  const values = new Map<number, JsonNode>();
  for (const s of stringValues(root)) {
    const ls = own.get(s)?.lines ?? [];
    const keyLine = ls.filter((l) => (lines[l] as Line).start <= s.offset).at(-1);
    if (keyLine !== undefined && !text.slice(s.offset, s.offset + s.length).includes('\n')) values.set(keyLine, s);
  }
  const openingLines = () => {
    const out: number[] = [];
    for (let i = 0; i < lines.length && out.length < opening.length; i++)
      if (comment.test((lines[i] as Line).text)) out.push(i);
    return out;
  };
  const emit = (node: JsonNode, options: EmitOptions = {}): string | null => {
    const kept = chosen(node, options);
    if (!kept) return null;
    if (node === root)
      openingLines().forEach((l, k) => {
        if (options.opening?.(k) ?? true) kept.add(l);
      });
    const order = [...kept].sort((a, b) => a - b);
    const out: string[] = [];
    order.forEach((l, k) => {
      const before = order[k - 1];
      // A blank line where the source had one between two kept lines (sections stay apart).
      if (before !== undefined && lines.slice(before + 1, l).some((x) => !x.text.trim())) out.push('');
      out.push(lineText(l, options.replace, values));
    });
    const written = `${bom}${out.join(newline)}${endsWithBreak && out.length ? newline : ''}`;
    if (format === 'toml' && options.check !== false) {
      try {
        parseToml(written.slice(bom.length));
      } catch {
        return null;
      }
    }
    return written;
  };
  const piece = (node: JsonNode, replace?: ReadonlyMap<JsonNode, string>): string => {
    const kept = chosen(node, {});
    const order = [...(kept ?? [])].sort((a, b) => a - b);
    return `${order.map((l) => lineText(l, replace, values)).join('\n')}\n`;
  };
  return { format, text, root, emit, piece, comment: (node) => said.get(node), opening };
}
