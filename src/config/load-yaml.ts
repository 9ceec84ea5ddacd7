import { existsSync, readFileSync } from 'node:fs';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, InputError } from '../errors/index.ts';

/**
 * The one way a YAML config becomes a typed value: read the file, parse it, merge the caller's
 * explicit options over it, check it with a zod schema (which fills the defaults). An error names
 * the file, the line and the field; a bad value the caller passed (not the file) is an InputError,
 * so the edges answer 400, while a bad file is a ConfigError.
 */

export interface YamlConfigOptions {
  /** Deep-merged over the file's content: explicit options win over the file. */
  override?: unknown;
  /** A missing file means the schema's defaults (else it is an error). */
  optional?: boolean;
  /** Read only this top-level key of the document (training.yaml's `classifier`). */
  section?: string;
}

export function loadYamlConfig<S extends z.ZodType>(
  file: string,
  schema: S,
  options: YamlConfigOptions = {},
): z.output<S> {
  if (!existsSync(file)) {
    if (!options.optional) throw new ConfigError(`Missing config file ${file}.`);
    return checkConfig(schema, mergeDeep({}, options.override), { file, override: options.override });
  }
  return parseYamlConfig(readFileSync(file, 'utf8'), schema, { ...options, file });
}

/**
 * YAML text (a file's content, or front matter cut from one: `firstLine` is where it starts in the
 * file, so line numbers stay the file's). An empty document is `{}`, i.e. every default.
 */
export function parseYamlConfig<S extends z.ZodType>(
  text: string,
  schema: S,
  options: YamlConfigOptions & { file: string; firstLine?: number },
): z.output<S> {
  const { file } = options;
  const shift = (options.firstLine ?? 1) - 1;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const bad = doc.errors[0];
  if (bad) {
    const line = lines.linePos(bad.pos[0]).line + shift;
    throw new ConfigError(`${where(file, line)}: not valid YAML: ${bad.message}`, { cause: bad });
  }
  const section = options.section === undefined ? [] : [options.section];
  let raw: unknown = doc.toJS() ?? {};
  if (options.section !== undefined) raw = isPlainObject(raw) ? (raw[options.section] ?? {}) : {};
  return checkConfig(schema, mergeDeep(raw, options.override), {
    file,
    override: options.override,
    lineOf: (path) => {
      const line = lineOf(doc, [...section, ...path], lines);
      return line === undefined ? undefined : line + shift;
    },
  });
}

export interface ConfigSource {
  /** The file (or a label, e.g. "inference config", for a value built in code). */
  file: string;
  /** What the caller passed over the file: an issue there is the caller's. */
  override?: unknown;
  /** The file's line holding a path, when known. */
  lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/** Checks a value against a schema, naming file, line and field of the first issue. */
export function checkConfig<S extends z.ZodType>(schema: S, raw: unknown, source: ConfigSource): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const field = path.length ? path.map(String).join('.') : undefined;
  const message = issue?.message ?? 'invalid config';
  if (path.length && valueAt(source.override, path) !== undefined)
    throw new InputError(`${message} (this run's setting, over ${source.file})`, field ? { field } : {});
  const line = source.lineOf?.(path);
  throw new ConfigError(`${where(source.file, line)}${field ? `, field "${field}"` : ''}: ${message}`);
}

/** Objects merged key by key; anything else in `override` replaces `base`. */
export function mergeDeep(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeDeep(base[k], v);
    return out;
  }
  return override;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const where = (file: string, line: number | undefined) => (line === undefined ? file : `${file}:${line}`);

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * The line of the deepest node on `path` that the file has: the value itself, else the key of the
 * nearest enclosing entry (a missing field is reported where its parent is).
 */
function lineOf(doc: Document, path: readonly PropertyKey[], lines: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      next = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
      if (!isNode(next)) break;
      if (next.range) offset = next.range[0];
    } else break;
    node = next;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

const isNode = (v: unknown): v is Node => isScalar(v) || isMap(v) || isSeq(v);
