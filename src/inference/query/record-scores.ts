/**
 * Records of a structured memory (a JSON document's fields and items, a table's rows) ranked for a
 * query as the lines of a list of facts, by the same relevance as a text memory.
 */

import { prepare } from './relevance.ts';
import { type ScoreOptions, scoreUnits } from './select.ts';

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

/** Each record's relevance to the query (its best sentence's), from its line ("allergies: peanuts"). */
export async function scoreRecords(
  records: readonly string[],
  options: ScoreOptions,
): Promise<{ score: Float64Array; embedded: number; densePending: boolean }> {
  const lines = records.map((r) => `- ${r.replace(/\s+/g, ' ').trim()}`);
  const prep = prepare(lines.join('\n'));
  // Records are facts apart: a neighbour's or the list's relevance says nothing of a record's own.
  const {
    score: unitScore,
    embedded,
    densePending,
  } = await scoreUnits(prep, {
    ...options,
    query: discriminating(options.query, lines),
    weights: { ...options.weights, neighbour: 0, session: 0 },
  });
  // Each line is a block of the list: its record's score is its best sentence's.
  const score = new Float64Array(lines.length).fill(Number.NEGATIVE_INFINITY);
  let line = 0;
  let lineEnd = (lines[0] as string).length;
  for (const u of prep.memory.units) {
    while (u.start > lineEnd && line < lines.length - 1) lineEnd += 1 + (lines[++line] as string).length;
    score[line] = Math.max(score[line] as number, unitScore[u.index] as number);
  }
  return { score, embedded, densePending };
}
