/**
 * Query-aware selection over a memory an app keeps as JSON: a profile object, a list of memories
 * (`{"memories": [{"date": ..., "text": ...}, ...]}`, `["Dana is vegetarian", ...]`). The JSON is
 * cut into records (an array's items, an object's fields), each ranked as a line of a list of facts
 * by the same relevance as a text memory, and the most relevant kept within the budget. The result
 * is JSON again, minified, with the kept records in their places and order: an app's parser still
 * reads it, and nothing kept is rewritten.
 */

import type { TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { prepare } from './relevance.ts';
import { type ScoreOptions, scoreUnits } from './select.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

export interface JsonRecord {
  path: Path;
  /** How it reads for relevance: its key and its values ("allergies: peanuts, shellfish"). */
  line: string;
}

export interface JsonMemory {
  root: Json;
  records: JsonRecord[];
}

export interface JsonSelection {
  text: string;
  records: number;
  kept: number;
  embedded: number;
  /** The most relevant record alone was over the budget; it was kept. */
  overBudget: boolean;
}

/** Fewer records than this: nothing to choose from, and the code path's minifying does as well. */
const MIN_RECORDS = 3;

const isObject = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || typeof v !== 'object';

/** The leaves of a value as "key: value" words, for ranking only. */
function leaves(value: Json): string {
  if (isScalar(value)) return String(value);
  if (Array.isArray(value)) return value.map(leaves).join(', ');
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${leaves(v)}`)
    .join('; ');
}

/**
 * A list of short values ("peanuts", "shellfish") is one fact, its field's; a list of sentences
 * or of objects holds one memory an item.
 */
const isFact = (items: readonly Json[]) =>
  items.every((v) => isScalar(v) && String(v).length <= 40 && !/\s\S+\s/.test(String(v)));

function walk(value: Json, path: Path, key: string | null, out: JsonRecord[]): void {
  const label = key ? `${key}: ` : '';
  if (Array.isArray(value)) {
    if (isFact(value)) out.push({ path, line: `${label}${leaves(value)}` });
    else for (const [k, item] of value.entries()) out.push({ path: [...path, k], line: `${label}${leaves(item)}` });
    return;
  }
  if (!isObject(value)) {
    out.push({ path, line: `${label}${leaves(value)}` });
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (isObject(v) || (Array.isArray(v) && !isFact(v))) walk(v, [...path, k], k, out);
    else out.push({ path: [...path, k], line: `${k}: ${leaves(v)}` });
  }
}

/** The records of a JSON memory, or null when the text is no JSON object or array of enough records. */
export function parseJsonMemory(text: string): JsonMemory | null {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return null;
  let root: Json;
  try {
    root = JSON.parse(trimmed) as Json;
  } catch {
    return null;
  }
  const records: JsonRecord[] = [];
  walk(root, [], null, records);
  return records.length >= MIN_RECORDS ? { root, records } : null;
}

const pathKey = (path: Path) => JSON.stringify(path);

/** The JSON with only the kept records: containers keep their kept parts, in order; empty ones go. */
function keptJson(memory: JsonMemory, kept: ReadonlySet<string>): Json {
  const prune = (value: Json, path: Path): Json | undefined => {
    if (kept.has(pathKey(path))) return value;
    if (Array.isArray(value)) {
      const items = value.flatMap((v, k) => {
        const p = prune(v, [...path, k]);
        return p === undefined ? [] : [p];
      });
      return items.length ? items : undefined;
    }
    if (isObject(value)) {
      const entries = Object.entries(value).flatMap(([k, v]) => {
        const p = prune(v, [...path, k]);
        return p === undefined ? [] : [[k, p] as const];
      });
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return undefined;
  };
  return prune(memory.root, []) ?? (Array.isArray(memory.root) ? [] : {});
}

/**
 * The query without the words half the records or more say: in a memory about one person, their
 * name ("Is Dana allergic to anything?") tells no record from another, and it drew MiniLM to every
 * record naming her before the one field that answers ("allergies: peanuts, shellfish", unnamed).
 */
function discriminating(query: string, lines: readonly string[]): string {
  const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const records = lines.map(wordsOf);
  const common = (word: string) => records.filter((r) => r.has(word)).length * 2 >= records.length;
  const kept = query.replace(/[\p{L}\p{N}]+/gu, (w) => (common(w.toLowerCase()) ? '' : w)).replace(/\s+/g, ' ');
  return /[\p{L}\p{N}]/u.test(kept) ? kept.trim() : query;
}

/** Records tried, each rendered and counted, in the budget's last gap. */
const TOP_UP_TRIES = 6;

/**
 * The records the query needs, most relevant first, within `budget` o200k tokens of minified JSON.
 * Ranked as the lines of a list of facts (`- allergies: peanuts, shellfish`) by scoreUnits.
 */
export async function selectJson(
  memory: JsonMemory,
  options: ScoreOptions & { budget: number; count: TokenCounter },
): Promise<JsonSelection> {
  const { records } = memory;
  const lines = records.map((r) => `- ${r.line.replace(/\s+/g, ' ').trim()}`);
  const prep = prepare(lines.join('\n'));
  // Records are facts apart: a neighbour's or the list's relevance says nothing of a record's own.
  const { score: unitScore, embedded } = await scoreUnits(prep, {
    ...options,
    query: discriminating(options.query, lines),
    weights: { ...options.weights, neighbour: 0, session: 0 },
  });
  // Each line is a block of the list: its record's score is its best sentence's.
  const score = new Float64Array(records.length).fill(Number.NEGATIVE_INFINITY);
  let line = 0;
  let lineEnd = (lines[0] as string).length;
  for (const u of prep.memory.units) {
    while (u.start > lineEnd && line < lines.length - 1) lineEnd += 1 + (lines[++line] as string).length;
    score[line] = Math.max(score[line] as number, unitScore[u.index] as number);
  }
  const order = records.map((_, k) => k).sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
  const cost = (k: number) => {
    const r = records[k] as JsonRecord;
    const value = r.path.reduce<Json>((v, p) => (v as Record<string | number, Json>)[p] as Json, memory.root);
    const key = r.path.at(-1);
    return options.count(`${typeof key === 'string' ? `"${key}":` : ''}${JSON.stringify(value)},`);
  };
  const kept = new Set<string>();
  const keep = new Set<number>();
  let used = options.count('{}');
  for (const k of order) {
    const c = cost(k);
    if (used + c > options.budget && keep.size) continue;
    keep.add(k);
    kept.add(pathKey((records[k] as JsonRecord).path));
    used += c;
  }
  const render = () => JSON.stringify(keptJson(memory, kept));
  let text = render();
  // The pieces counted apart are an estimate: take back the least relevant until the whole fits.
  while (keep.size > 1 && options.count(text) > options.budget) {
    const worst = [...keep].sort((a, b) => (score[a] as number) - (score[b] as number) || b - a)[0] as number;
    keep.delete(worst);
    kept.delete(pathKey((records[worst] as JsonRecord).path));
    text = render();
  }
  let left = options.budget - options.count(text);
  let tries = 0;
  for (const k of order) {
    if (left <= 0 || tries >= TOP_UP_TRIES) break;
    if (keep.has(k)) continue;
    tries++;
    const p = pathKey((records[k] as JsonRecord).path);
    kept.add(p);
    const next = render();
    const tokens = options.count(next);
    if (tokens <= options.budget) {
      keep.add(k);
      text = next;
      left = options.budget - tokens;
    } else kept.delete(p);
  }
  return {
    text,
    records: records.length,
    kept: keep.size,
    embedded,
    overBudget: options.count(text) > options.budget,
  };
}
