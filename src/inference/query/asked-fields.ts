/**
 * The fields of a structured document's records (YAML, JSON, TOML) a question names: by their key
 * ("What is the maximum page size?" names `maximum`; "When does the scheduled build run?" names
 * `schedule`) or by a value it gives ("Which alerts page someone?" names `severity: page`). The
 * CSV path's rule (value-matches.ts) read for a tree: a word names the records that hold it, the
 * rarer among them the more. A key is named on the record's own path too ("readiness probe path":
 * `readinessProbe.httpGet.path`), since a nested field's key alone ("path") says little.
 */

import { terms } from './bm25.ts';
import { negatedSpans } from './negated-values.ts';

/** A record's words: its keys (the path down to it and those inside it) and its values. */
export interface RecordWords {
  keys: string;
  values: string;
  /** The values saying which record it is (its `name`, `id`, its item's), among `values`. */
  ids: string;
}

export interface AskedFields {
  /**
   * Per record, how much the question's words name it, by its keys or its values: each word it
   * holds, ln(records / records holding it).
   */
  weight: Float64Array;
  /** Per record, whether a word of the question names one of its keys (not only a value). */
  byKey: boolean[];
  /** Per record, whether a word of the question names one of its values. */
  byValue: boolean[];
  /** Per record, whether a word of the question is in a value saying which record it is ("django"). */
  byId: boolean[];
  /** Whether a key (its words) is one a question's word names. */
  namesKey(key: string): boolean;
  /** Whether a value holds a word the question names. */
  namesValue(value: string): boolean;
}

/**
 * Whether a question's term names a key's term: the same, or one the other's start with at most
 * three letters more, of five or more ("schedul" of "scheduled" names "schedule"; "deploy" does not
 * name "deployment", a noun of its own), or a key's usual short form of it ("min" of "minimum"). The
 * stemmer leaves such pairs apart.
 */
export function sameWord(asked: string, key: string): boolean {
  if (asked === key) return true;
  if (ABBREVIATIONS.has(key) && asked.startsWith(key)) return true;
  const [short, long] = asked.length <= key.length ? [asked, key] : [key, asked];
  return short.length >= 5 && long.length - short.length <= 3 && long.startsWith(short);
}

/**
 * Keys' short forms of a word the question writes whole: `minLength` for "minimum length",
 * `maxConnections`, `avgLatency`, `numReplicas`.
 */
const ABBREVIATIONS = new Set(['min', 'max', 'avg', 'num', 'qty', 'temp', 'env', 'repo', 'auth', 'desc', 'config']);

/**
 * What a question names of each record's fields. A word held by more than half the records tells
 * none apart (every rule of an alerts file has an `alert` key; most of a package.json's values are
 * versions), as a value does on the CSV path (value-matches.ts).
 */
export function askedFields(records: readonly RecordWords[], query: string): AskedFields {
  const n = records.length;
  const negated = new Set(negatedSpans(query).flatMap((span) => span.flatMap((w) => terms(w))));
  const asked = [...new Set(terms(query))].filter((t) => !negated.has(t));
  const keyTerms = records.map((r) => [...new Set(terms(r.keys))]);
  const valueTerms = records.map((r) => new Set(terms(r.values)));
  const idTerms = records.map((r) => new Set(terms(r.ids)));
  const weight = new Float64Array(n);
  const byKey = records.map(() => false);
  const byValue = records.map(() => false);
  const byId = records.map(() => false);
  const keyWords: string[] = [];
  const valueWords: string[] = [];
  for (const t of asked) {
    const inKeys = keyTerms.map((ks) => ks.some((k) => sameWord(t, k)));
    const inValues = valueTerms.map((vs) => vs.has(t));
    const holding = records.filter((_, k) => inKeys[k] || inValues[k]).length;
    if (holding === 0 || holding * 2 > n) continue;
    if (inKeys.some(Boolean)) keyWords.push(t);
    if (inValues.some(Boolean)) valueWords.push(t);
    for (let k = 0; k < n; k++) {
      if (!inKeys[k] && !inValues[k]) continue;
      weight[k] = (weight[k] as number) + Math.log(n / holding);
      if (inKeys[k]) byKey[k] = true;
      if (inValues[k]) byValue[k] = true;
      if (idTerms[k]?.has(t)) byId[k] = true;
    }
  }
  return {
    weight,
    byKey,
    byValue,
    byId,
    namesKey: (key) => terms(key).some((k) => keyWords.some((t) => sameWord(t, k))),
    namesValue: (value) => terms(value).some((v) => valueWords.includes(v)),
  };
}

/**
 * A question asking for the records of a kind rather than one fact: "Which alerts page someone?",
 * "What jobs run nightly?", "Who is on call?", "List every ...". Each record a value it names picks
 * is part of the answer, as each row is for a table's.
 */
export const asksWhich = (query: string): boolean =>
  /\b(?:which|who|whom|list|all|every)\b/i.test(query) || WHAT_PLURAL.test(query);

/**
 * "What jobs run nightly?": a plural noun after "what". Not a verb in -s, which an article, a
 * pronoun or a conjunction follows ("What triggers the alert?", "What happens when ...?", "What
 * causes it?"): those ask for one fact.
 */
const WHAT_PLURAL =
  /^\s*what\s+(?!(?:is|was|does|has|this)\b)\p{L}+s\b(?!\s+(?:the|a|an|this|that|these|those|my|our|your|its|his|her|their|it|them|me|us|you|when|if|whenever|after|before|to|in|on|at|for|with|from|by)\b)/iu;
