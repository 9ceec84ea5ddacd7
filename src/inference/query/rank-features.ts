import { terms } from './bm25.ts';
import type { MemoryUnit } from './memory-units.ts';
import { dateMatches, isListQuestion, queryDates, queryNames, TIME, WHEN } from './query-cues.ts';
import { namePatterns, type Prepared, type Signals, spokenByNamed } from './relevance.ts';

/**
 * The learned ranker's view of a unit for one query: general features of relevance (how well it
 * and its neighbours and session match the query, lexically, densely and word by word, absolute
 * and by rank), the query's cues (a named speaker, a list question, a "when" question, a dated
 * month or year) and the unit's own shape (content words, a question). No word of any dataset: the model's
 * weights are fitted on LoCoMo conversations 1-3 by bench/query-rank-fit.ts into rank-model.ts.
 */

export const RANK_FEATURES = [
  /** BM25 over the memory's best: 0..1. */
  'lexical',
  /** 1 - log(1 + rank) / log(1 + units) by BM25 (0 without a shared term). */
  'lexicalRank',
  /** Cosine scaled to the memory (best 1, average 0), clipped below at -1. */
  'dense',
  /** As lexicalRank, by cosine. */
  'denseRank',
  /** lexical + max(0, dense) of the previous unit in the same session (0 at its start). */
  'previous',
  /** The same of the next unit. */
  'next',
  /** The best lexical + max(0, dense) of the unit's session. */
  'session',
  /** The unit's speaker is named in the query. */
  'speaker',
  /** ... and the query asks for a list (isListQuestion). */
  'listSpeaker',
  /** A list question: lexical and dense relevance count differently when the answer is many turns. */
  'listLexical',
  'listDense',
  /** The unit names a person the query names. */
  'name',
  /** The unit's session is dated as the query dates it (month, year). */
  'date',
  /** A "when" question and a unit holding a time expression. */
  'whenTime',
  /** log(1 + content terms) of the unit. */
  'words',
  /** The unit asks something ("?"). */
  'asks',
  /** The hand-weighted score (neighbours and session included) over the memory's best: 0..1. */
  'hand',
  /**
   * Word-level soft match (Signals.wordMatch): the query's words met by other words of the unit.
   * Each conversation of LoCoMo 1-3 ranked by a model fitted on the other two, answers kept at
   * 5x / 10x / 20x 254 / 247 / 236 -> 254 / 249 / 235 of 261 (AUC per fold up 0.001-0.002); held
   * out (4-5, once) 223 / 217 / 206 -> 224 / 220 / 206 of 236. Not better on 1-3 (5x / 10x / 20x):
   * the best single word's cosine beside the mean, and again for list questions, 254 / 249 / 235;
   * the mean's rank 254 / 248 / 234; its session's best 254 / 247 / 235; the query's own words
   * counted as 1 254 / 248 / 235; cosines below 0.3 or 0.5 cut 254 / 249 / 234, 254 / 246 / 236;
   * query words weighted by rarity (idf) 254 / 248 / 233 or commonness 254 / 249 / 236 (one fold's
   * AUC lower); beside it, the answer's kind as words (the noun after "what" or "which", "place"
   * for "where", "person" for "who") and its best cosine in the unit, alone and for list questions,
   * 254 / 249 / 235; BM25 of each query word's 5 nearest words of the memory (cosine over 0.45 or
   * 0.6), weighted by their cosine, 255 / 248 / 234, 255 / 247 / 236.
   */
  'wordMatch',
] as const;

export type RankFeature = (typeof RANK_FEATURES)[number];

const INDEX = Object.fromEntries(RANK_FEATURES.map((f, k) => [f, k])) as Record<RankFeature, number>;

/** A logistic model on raw feature values: logit = bias + sum of weight x value. */
export interface RankModel {
  bias: number;
  weights: Record<RankFeature, number>;
}

/** Ranks as 1 - log(1 + rank) / log(1 + n), best first; values at or below `floor` get 0. */
function rankFeature(values: Float64Array, floor: number): Float64Array {
  const n = values.length;
  const order = Array.from(values.keys()).sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
  const out = new Float64Array(n);
  const scale = Math.log(1 + n) || 1;
  order.forEach((i, rank) => {
    if ((values[i] as number) > floor) out[i] = 1 - Math.log(1 + rank) / scale;
  });
  return out;
}

/** One row of RANK_FEATURES per unit, in memory order. */
export function rankFeatures(prep: Prepared, query: string, signals: Signals, hand: Float64Array): Float64Array[] {
  const { units, groups } = prep.memory;
  const { bodies } = prep;
  const n = units.length;
  const lexical = signals.lexical;
  const dense = signals.dense ?? new Float64Array(n);
  const own = Float64Array.from(lexical, (v, i) => v + Math.max(0, dense[i] as number));
  const sessionBest = new Float64Array(groups.length);
  for (const u of units) sessionBest[u.group] = Math.max(sessionBest[u.group] as number, own[u.index] as number);
  const lexicalRank = rankFeature(lexical, 0);
  const denseRank = signals.dense ? rankFeature(dense, Number.NEGATIVE_INFINITY) : new Float64Array(n);
  prep.terms ??= bodies.map((b) => terms(b));
  const names = queryNames(query);
  const patterns = namePatterns(names);
  const dates = queryDates(query);
  const list = isListQuestion(query) ? 1 : 0;
  const when = WHEN.test(query);
  const neighbour = (u: MemoryUnit, j: number) => (units[j]?.group === u.group ? (own[j] as number) : 0);
  let handMax = 0;
  for (const v of hand) handMax = Math.max(handMax, v);
  const index = INDEX;
  return units.map((u) => {
    const i = u.index;
    const x = new Float64Array(RANK_FEATURES.length);
    const text = bodies[i] as string;
    const spoken = spokenByNamed(u, names) ? 1 : 0;
    x[index.lexical] = lexical[i] as number;
    x[index.lexicalRank] = lexicalRank[i] as number;
    x[index.dense] = Math.max(-1, dense[i] as number);
    x[index.denseRank] = denseRank[i] as number;
    x[index.previous] = neighbour(u, i - 1);
    x[index.next] = neighbour(u, i + 1);
    x[index.session] = sessionBest[u.group] as number;
    x[index.speaker] = spoken;
    x[index.listSpeaker] = list * spoken;
    x[index.listLexical] = list * (lexical[i] as number);
    x[index.listDense] = list * Math.max(0, dense[i] as number);
    x[index.name] = patterns.some((p) => p.test(text)) ? 1 : 0;
    x[index.date] = dateMatches(groups[u.group]?.headerDate ?? null, dates) ? 1 : 0;
    x[index.whenTime] = when && TIME.test(text) ? 1 : 0;
    x[index.words] = Math.log(1 + (prep.terms?.[i]?.length ?? 0));
    x[index.asks] = text.includes('?') ? 1 : 0;
    x[index.hand] = handMax > 0 ? (hand[i] as number) / handMax : 0;
    x[index.wordMatch] = signals.wordMatch?.[i] ?? 0;
    return x;
  });
}

/** The model's logit for one row. */
export function rankLogit(model: RankModel, x: Float64Array): number {
  let s = model.bias;
  for (let k = 0; k < RANK_FEATURES.length; k++) s += model.weights[RANK_FEATURES[k] as RankFeature] * (x[k] as number);
  return s;
}
