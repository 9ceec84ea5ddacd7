/**
 * A question that negates a value of a table ("Which services are not on Kubernetes?", "Which
 * orders have not shipped?", "every city except Lisbon"): the rows it needs are the ones lacking
 * that value, and the rows holding it, which its words match, are the ones it does not ask for
 * (review: the Kubernetes rows were kept first). Shared by the CSV path (table-memory.ts) and the
 * Markdown and HTML tables of a document (select.ts).
 */

import { maxOf, minOf } from '../../util/extremes.ts';
import { terms } from './bm25.ts';
import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

/**
 * Words that negate what follows them: English, and the main European languages' (German, French,
 * Spanish, Italian, Portuguese, Dutch). "no" is Spanish "not" as much as an English determiner;
 * either way what it negates is what follows.
 */
const CUE =
  /^(?:not|never|no|non|cannot|except|excluding|besides|without|nicht|nie|kein|keine|keinen|außer|ausser|ohne|ne|sauf|hormis|sans|excepto|salvo|sin|nunca|tranne|eccetto|senza|não|nao|exceto|sem|niet|geen|behalve|zonder)$/i;
/** Two-word cues: "other than", "apart from", "aside from", "no longer", "rather than". */
const CUE_PAIR = /^(?:other than|apart from|aside from|no longer|rather than)$/i;
/** Where a negation's reach ends: a new clause or question ("..., and who owns them?"). */
const STOP =
  /^(?:but|because|since|while|who|whom|whose|which|what|where|when|why|how|that|aber|sondern|mais|pero|ma|maar)$/i;
/**
 * A subject after a contracted negation: the auxiliary comes before it in a question ("Why didn't
 * the Kubernetes deploy work?", "Can't we move auth off ECS?"), and what it negates is the verb at
 * the end, not a value (read as one, the Kubernetes rows, the ones asked about, went below every
 * other unit; the "auth" row for the second).
 */
const INVERTED_SUBJECT =
  /^(?:the|a|an|this|that|these|those|it|we|you|i|they|he|she|our|my|your|their|his|her|its|there|anyone|someone|everyone)$/i;

/** Terms a cell holds at most to be read as a value. */
const VALUE_TERMS = 4;
/** Words a negation reaches at most: the value is its object, a few words on at most. */
const REACH = 8;

/**
 * The words each negation of the query reaches, in order: those after its cue up to the end of
 * the clause ("aren't on Kubernetes or ECS" -> on, Kubernetes, or, ECS).
 */
export function negatedSpans(query: string): string[][] {
  // Sentence ends and clause marks end a reach; a comma does not ("not on Kubernetes, ECS or Lambda").
  const clauses = query.split(/[?!.;:()¿¡]+/);
  const out: string[][] = [];
  for (const clause of clauses) {
    const words = clause.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
    for (let k = 0; k < words.length; k++) {
      const w = (words[k] as string).replace(/’/g, "'");
      const pair = `${w} ${words[k + 1] ?? ''}`;
      let from = -1;
      if (/n't$/i.test(w) && INVERTED_SUBJECT.test(words[k + 1] ?? '')) continue;
      if (/n't$/i.test(w) || CUE.test(w)) from = k + 1;
      else if (CUE_PAIR.test(pair)) from = k + 2;
      // "non-Kubernetes", French "n'est": the cue written onto its word.
      else if (/^(?:non|n')-?./i.test(w) && !/^non[a-z]/i.test(w)) {
        out.push([w.replace(/^(?:non-|n')/i, ''), ...reach(words, k + 1)]);
        continue;
      }
      if (from < 0) continue;
      out.push(reach(words, from));
    }
  }
  return out.filter((s) => s.length);
}

function reach(words: readonly string[], from: number): string[] {
  const out: string[] = [];
  for (let k = from; k < words.length && out.length < REACH; k++) {
    const w = words[k] as string;
    if (STOP.test(w)) break;
    out.push(w);
  }
  return out;
}

export interface NegatedValue {
  /** The column holding the value. */
  column: number;
  /**
   * The question asks for the rows whose cell in that column is empty ("not assigned to anyone",
   * "without a due date", "unassigned"): `holding` are the rows with anything in it.
   */
  empty?: true;
  /** The negated value's terms (bm25 `terms`: lowercased, stemmed). */
  terms: string[];
  /** The rows whose cell in that column holds one of them: what the question does not ask for. */
  holding: Set<number>;
}

/**
 * The value a question negates in a table, given its rows' cells (the header left out): the first
 * word a negation reaches that some rows of a column hold and others do not, and the words after it
 * the same column holds ("not on Kubernetes or ECS": both; "did not pass on staging": pass, the
 * status, while staging, another column's, stays a value the question names). Null when the
 * negation reaches no cell value ("Why did the deploy not work?"): the question is ranked as before.
 */
export function negatedValue(
  rows: readonly (readonly string[])[],
  query: string,
  header?: readonly string[],
): NegatedValue | null {
  const value = negatedCellValue(rows, query);
  if (value || !header || rows.length < 2) return value;
  return emptyColumn(rows, query, header);
}

/** A column a question wants empty, by a word of its header: "missing due date", "unassigned". */
const EMPTY_CUE = /(?<![\p{L}])(?:missing|empty|blank|unset|lacking)\s+((?:[\p{L}\p{N}'-]+\s*){1,3})/giu;
/** "unassigned", "unlabelled", "unowned": the cue written onto its word. */
const UN_WORD = /(?<![\p{L}])un(\p{L}{4,})/giu;

/**
 * The column a question asks to be empty (review: "Which tickets are not assigned to anyone?" kept
 * one of the two rows with no assignee, and did not say the other matched): a word a negation
 * reaches, or one after "missing" or "empty", or one written with "un", that names a column
 * ("assigned": "Assignee"; "due date": "Due date"), some of whose cells are empty and some not.
 */
function emptyColumn(
  rows: readonly (readonly string[])[],
  query: string,
  header: readonly string[],
): NegatedValue | null {
  const words = [
    ...negatedSpans(query),
    ...[...query.matchAll(EMPTY_CUE)].map((m) => (m[1] as string).split(/\s+/)),
    ...[...query.matchAll(UN_WORD)].map((m) => [m[1] as string]),
  ];
  const columns = header.map((name) => terms(name));
  const names = (term: string, column: readonly string[]) =>
    column.some(
      (h) => h === term || (Math.min(h.length, term.length) >= 5 && (h.startsWith(term) || term.startsWith(h))),
    );
  for (const span of words)
    for (const term of span.flatMap((w) => terms(w))) {
      const column = columns.findIndex((c) => names(term, c));
      if (column < 0) continue;
      const holding = new Set(rows.flatMap((cells, k) => ((cells[column] ?? '').trim() ? [k] : [])));
      if (holding.size === 0 || holding.size >= rows.length) continue;
      return { column, terms: [term], holding, empty: true };
    }
  return null;
}

/** The value a question negates among the rows' cells (negatedValue), or null. */
function negatedCellValue(rows: readonly (readonly string[])[], query: string): NegatedValue | null {
  const spans = negatedSpans(query);
  if (!spans.length || rows.length < 2) return null;
  const cellTerms = rows.map((cells) => cells.map((c) => new Set(terms(c))));
  const width = maxOf(rows.map((r) => r.length));
  /**
   * The rows of a column holding a term as a value: a cell of a few words ("Kubernetes", "Google
   * Cloud Run"), not a note that mentions it ("works fine since the fix").
   */
  const holders = (column: number, term: string) =>
    cellTerms.flatMap((cells, k) => {
      const cell = cells[column];
      return cell?.has(term) && cell.size <= VALUE_TERMS ? [k] : [];
    });
  for (const span of spans) {
    const spanTerms = span.flatMap((w) => terms(w));
    for (const [at, term] of spanTerms.entries()) {
      // The column where the term tells rows apart best: held by some, not by all.
      let column = -1;
      let held = 0;
      for (let c = 0; c < width; c++) {
        const n = holders(c, term).length;
        if (n > 0 && n < rows.length && n > held) {
          column = c;
          held = n;
        }
      }
      if (column < 0) continue;
      const negated = [term];
      for (const next of spanTerms.slice(at + 1)) {
        const n = holders(column, next).length;
        if (n > 0 && n < rows.length && !negated.includes(next)) negated.push(next);
      }
      const holding = new Set(negated.flatMap((t) => holders(column, t)));
      // Every row holding one of the values leaves none the question asks for: no negation read.
      if (holding.size >= rows.length) return null;
      return { column, terms: negated, holding };
    }
  }
  return null;
}

/** The cells of a Markdown table's row (`| a | b |`, outer pipes or none) or an HTML one (`<td>`). */
export function rowCells(line: string): string[] {
  const text = line.trim();
  if (/<t[dh][\s>]/i.test(text))
    return text
      .split(/<t[dh](?:\s[^>]*)?>/i)
      .slice(1)
      .map((c) => c.replace(/<[^>]*>/g, '').trim());
  return text
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** A Markdown or HTML table's group: its header is the table's header row (memory-units.ts). */
export const isTableGroup = (g: MemoryGroup): boolean => /\||<th[\s>]/i.test(g.header?.split('\n')[0] ?? '');

/**
 * A document's Markdown and HTML tables (their rows are units of kind `code` under the table's
 * header row) when the question negates a value of one: the rows lacking it take the place of the
 * best row holding it, in their own order, and the rows holding it go below every other unit.
 */
export function rankNegatedRows(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (!negatedSpans(query).length && !query.match(EMPTY_CUE) && !query.match(UN_WORD)) return;
  const { units } = memory;
  for (const g of memory.groups) {
    if (!isTableGroup(g)) continue;
    const rows = g.units.filter((i) => units[i]?.kind === 'code');
    const negation = negatedValue(
      rows.map((i) => rowCells((units[i] as MemoryUnit).text)),
      query,
      rowCells(g.header?.split('\n')[0] ?? ''),
    );
    if (!negation) continue;
    const holding = rows.filter((_, k) => negation.holding.has(k));
    const lacking = rows.filter((_, k) => !negation.holding.has(k));
    const best = (of: number[]) => maxOf(of.map((i) => score[i] as number));
    const lift = Math.max(0, best(holding) - best(lacking));
    for (const i of lacking) score[i] = (score[i] as number) + lift;
    const lowest = minOf(score);
    for (const i of holding) score[i] = lowest - 1;
  }
}
