import { cosine } from '../../embeddings/cosine.ts';
import type { EmbedOptions } from '../../embeddings/minilm.ts';
import { ModelLoadError } from '../../errors/index.ts';
import { unlessAborted } from '../../util/abort.ts';
import { maxOf } from '../../util/extremes.ts';
import { sha256 } from '../../util/hash.ts';
import { type Bm25Index, bm25Index, contentWords, foldLatin, stem, terms } from './bm25.ts';
import { drugsAsked } from './drug-classes.ts';
import { emailAuthors, emailFrames } from './email-frames.ts';
import type { EmbeddingStore } from './embedding-store.ts';
import { labelSays } from './log-lines.ts';
import { headingPath, type MemoryUnit, type ParsedMemory, parseMemory, parseSourceLines } from './memory-units.ts';
import { withDefaultWord } from './parameter-defaults.ts';
import { dateMatches, dayMatches, isListQuestion, queryDates, queryNames, TIME, WHEN } from './query-cues.ts';
import { standingFacts } from './standing-facts.ts';

/**
 * A memory parsed and indexed once (it comes back with every question), and the relevance of its
 * units to one query: BM25 and MiniLM cosine, each scaled to the memory, and the hand-weighted
 * sum of those with the query's cues (names, dates, "when", lists) and a share of neighbours'.
 */

/** Weights of the hand-tuned relevance (select.ts DEFAULT_WEIGHTS says why each has its value). */
export interface RelevanceWeights {
  lexical: number;
  dense: number;
  /** Added when the unit's speaker is named in the query. */
  speaker: number;
  /**
   * Added when the unit's speaker is named in a list question (isListQuestion: "What activities
   * does Melanie do?"): the items of such a list are the named person's own turns, spread over
   * many sessions, and rarely share a word with the question.
   */
  listSpeaker: number;
  /** Added when the unit names a person the query names. */
  name: number;
  /** Added to every unit of a session whose header date matches a month or year in the query. */
  date: number;
  /** A unit scores at least this share of its best neighbour in the same session. */
  neighbour: number;
  /** Added: this share of the session's best unit (a session about the query holds its details). */
  session: number;
  /**
   * Added, for a "when" question, to the units that hold a time expression (yesterday, last week,
   * a weekday, a month, a year): the answer to "when did X" is the turn that dates X.
   */
  time: number;
}

/**
 * The unit's words without its `Speaker:` label (the label is scored as a speaker, not as text), but
 * for what a log record's label says happened (a kubectl event's reason and object, log-lines.ts).
 */
function body(u: MemoryUnit): string {
  if (!u.first || !u.label) return u.text;
  const rest = u.text.slice(u.label.length).trim();
  const says = labelSays(u.label);
  return says ? `${says} ${rest}` : rest;
}

export interface Prepared {
  memory: ParsedMemory;
  bodies: string[];
  index: Bm25Index;
  vectors: WeakMap<EmbeddingStore, Float32Array[]>;
  /** Token counts of the memory's pieces (units, telegraphic units, headers), per counter. */
  counts: WeakMap<(text: string) => number, Map<string, number>>;
  /** Each unit in telegraphic style, made at the first telegraphic call. */
  telegraphic?: string[];
  /** Each group's header in telegraphic style (null without one), made at the first telegraphic call. */
  telegraphicHeaders?: (string | null)[];
  /** Each unit's sentences and their content terms (sentence-trim.ts), made at the first call that needs them. */
  sentences?: { texts: string[]; terms: Set<string>[] }[];
  /** Words the memory writes with a capital inside a sentence (telegraph.ts properNames). */
  properNames?: Set<string>;
  /** The memory's speakers, as their labels name them (speakersOf). */
  speakers?: Set<string>;
  /** An email's frame units (emailFramesOf). */
  frames?: Set<number>;
  /** The units holding a standing fact (standingFactsOf). */
  standing?: number[];
  /** BM25 over each group's heading path (headingScores), null for a dialogue or a memory without headings. */
  headings?: Bm25Index | null;
  /** Content terms per unit, made at the first call that needs them. */
  terms?: string[][];
  /** The memory's distinct content words (unstemmed) and, per unit, the indexes of its own. */
  words?: { perUnit: Int32Array[]; vocabulary: string[]; stems: string[] };
  /** The vocabulary's MiniLM vectors, in its order, per store. */
  wordVectors: WeakMap<EmbeddingStore, Float32Array[]>;
  /**
   * The memory's first embedding pass (its units, then its words) running apart from any call,
   * per store: started when a call's `denseSignal` fired before it ended, awaited by the calls
   * that come while it runs instead of embedding the same texts again.
   */
  warming: WeakMap<EmbeddingStore, Promise<void>>;
  /** The stores whose first pass here outlived a caller's whole wait (`denseSignal` fired): later callers do not wait for it. */
  overdue: WeakSet<EmbeddingStore>;
  /**
   * A first pass that failed apart from any call because the model could not be loaded: the next
   * call on the memory throws it, so the query stage learns the model is broken (it would
   * otherwise start the pass again and rank by BM25 alone every time, saying the next call would not).
   */
  warmFailed: WeakMap<EmbeddingStore, ModelLoadError>;
}

/** The last few memories, parsed and indexed: an app sends the same memory with each question. */
const PREPARED_ENTRIES = 8;
const prepared = new Map<string, Prepared>();

export function prepare(text: string, options: { lines?: boolean } = {}): Prepared {
  // Read as source lines (parseSourceLines) or as a memory: two readings of one text, cached apart.
  const key = `${options.lines ? 'lines:' : ''}${sha256(text)}`;
  const hit = prepared.get(key);
  if (hit) {
    prepared.delete(key);
    prepared.set(key, hit);
    return hit;
  }
  const memory = options.lines ? parseSourceLines(text) : parseMemory(text);
  // An email's lines are said by their authors, as a chat's turns by their speakers.
  emailAuthors(memory).forEach((author, i) => {
    const u = memory.units[i];
    if (author && u && u.speaker === null) u.speaker = author;
  });
  const bodies = memory.units.map(body);
  const p: Prepared = {
    memory,
    bodies,
    // A script's line giving a default reads as saying so (parameter-defaults.ts).
    index: bm25Index(options.lines ? bodies.map(withDefaultWord) : bodies),
    vectors: new WeakMap(),
    counts: new WeakMap(),
    wordVectors: new WeakMap(),
    warming: new WeakMap(),
    overdue: new WeakSet(),
    warmFailed: new WeakMap(),
  };
  prepared.set(key, p);
  if (prepared.size > PREPARED_ENTRIES) prepared.delete(prepared.keys().next().value as string);
  return p;
}

export interface Signals {
  /** BM25 over the best unit's: 0..1. */
  lexical: Float64Array;
  /**
   * Cosine scaled so the best unit scores 1 and the memory's average 0 (negative below it): the
   * cosine's absolute level differs from memory to memory, its ranking is what carries the
   * signal. Null without an embedding store.
   */
  dense: Float64Array | null;
  /**
   * Word-level soft match, 0..1: for each content word of the query (names left out), its best
   * cosine with a different word of the unit ("activities" and "camping", "food" and "cakes"),
   * averaged over the query's words. What BM25 cannot see (no shared word) and a whole turn's
   * vector blurs (a list's item is one word among twenty). Null without an embedding store.
   */
  wordMatch: Float64Array | null;
  /** Texts the model embedded for this query (cache misses). */
  embedded: number;
  /**
   * Dense relevance and the word match are off for this call alone: the memory's first embedding
   * pass had not ended when the call's `denseSignal` fired; it goes on apart from the call.
   */
  densePending: boolean;
}

export interface SignalOptions {
  /** Stops the embedding of the memory's new texts: the call rejects with its reason. */
  signal?: AbortSignal;
  /**
   * When this fires before the memory's first embedding pass has ended, the call ranks without
   * dense relevance (BM25 and the cues) instead of waiting, and the pass goes on apart from the
   * call, so a later call finds the vectors. With it, the pass runs apart from the start: `signal`
   * then stops the wait, not the pass. A memory already embedded is never ranked without them.
   */
  denseSignal?: AbortSignal;
}

export async function relevanceSignals(
  prep: Prepared,
  query: string,
  store: EmbeddingStore | null,
  options: SignalOptions = {},
): Promise<Signals> {
  const { signal, denseSignal } = options;
  const embedOptions = signal ? { signal } : {};
  const { units } = prep.memory;
  const n = units.length;
  const queryTerms = lexicalTerms(prep, query);
  const raw = prep.index.score(queryTerms);
  let maxLex = 0;
  for (const v of raw) maxLex = Math.max(maxLex, v);
  // A line counts its headings' words too, at a share of the best line's (headingScores).
  const heads = headingScores(prep, queryTerms);
  if (heads && maxLex > 0) {
    for (const u of units)
      raw[u.index] = (raw[u.index] as number) + HEADING_WEIGHT * maxLex * (heads[u.group] as number);
    maxLex = 0;
    for (const v of raw) maxLex = Math.max(maxLex, v);
  }
  const lexical = Float64Array.from(raw, (v) => (maxLex > 0 ? v / maxLex : 0));
  if (!store || !n) return { lexical, dense: null, wordMatch: null, embedded: 0, densePending: false };
  const before = store.stats.embedded;
  // The units' and words' vectors are kept with the parsed memory (per store): a repeat of the
  // memory with a new question embeds the question and looks nothing else up.
  if (!prep.vectors.get(store) || !prep.wordVectors.get(store)) {
    const failed = prep.warmFailed.get(store);
    if (failed) {
      prep.warmFailed.delete(store);
      throw failed;
    }
    const running = prep.warming.get(store);
    // A pass that goes on apart already outlived a caller's whole wait: a caller with a wait of
    // its own ranks by BM25 at once rather than wait as long again (review: each request on a new
    // 47k-token memory paid the full proxy.denseWithinMs while the first pass ran).
    if (running && denseSignal && prep.overdue.has(store))
      return { lexical, dense: null, wordMatch: null, embedded: 0, densePending: true };
    if (denseSignal || running) {
      const warm = running ?? warmMemory(prep, store);
      const waitFrom = performance.now();
      const ended = await raceWith(warm, signal, denseSignal);
      if (!ended) {
        // Only a real wait marks the pass overdue: a caller with none left (a later chunk of a
        // request, 0 ms) says nothing of how long the pass takes (review).
        if (prep.warming.get(store) === warm && performance.now() - waitFrom >= OVERDUE_AFTER_MS)
          prep.overdue.add(store);
        return { lexical, dense: null, wordMatch: null, embedded: 0, densePending: true };
      }
    } else await embedMemory(prep, store, embedOptions);
  }
  const unitVectors = prep.vectors.get(store) as Float32Array[];
  const [q] = await store.embed([query], embedOptions);
  const wordMatch = await wordMatches(prep, query, store, embedOptions);
  const embedded = store.stats.embedded - before;
  const cos = units.map((_, i) => cosine(q as Float32Array, unitVectors[i] as Float32Array));
  const mean = cos.reduce((a, b) => a + b, 0) / n;
  const top = maxOf(cos);
  const span = top - mean || 1;
  return {
    lexical,
    dense: Float64Array.from(cos, (c) => (c - mean) / span),
    wordMatch,
    embedded,
    densePending: false,
  };
}

/**
 * What a line's headings add to its BM25, as a share of the memory's best line: a line under
 * "## Sunday — Roast chicken" answers "How long does the Sunday roast chicken cook?" though its
 * text ("1 whole chicken, 1.8 kg: 20 minutes per 500 g plus 20 minutes at 190 °C") names no
 * Sunday and no roast (review: at 0.1 no Sunday line was kept, Monday's "roast 30 minutes" was).
 * Lower than its own words: a heading is shared by every line under it.
 */
const HEADING_WEIGHT = 0.5;

/**
 * Each group's heading path (its header and every heading above it) scored by BM25 against the
 * query over the memory's groups, over the best group's (0..1); null in a dialogue, whose session
 * headers carry dates and names the date and speaker features read, or where no group has a heading.
 */
function headingScores(prep: Prepared, queryTerms: readonly string[]): Float64Array | null {
  const { memory } = prep;
  if (prep.headings === undefined) {
    const paths = memory.groups.map((_, g) => headingPath(memory, g).join('\n'));
    prep.headings = memory.format === 'dialogue' || !paths.some((p) => p) ? null : bm25Index(paths);
  }
  if (!prep.headings) return null;
  const out = prep.headings.score(queryTerms);
  let max = 0;
  for (const v of out) max = Math.max(max, v);
  if (max > 0) for (let g = 0; g < out.length; g++) out[g] = (out[g] as number) / max;
  return max > 0 ? out : null;
}

/** A wait that ran out after this long marks a memory's first pass as overdue for the callers after it. */
const OVERDUE_AFTER_MS = 500;

/** The memory's units, then its distinct words, embedded (or read from the store) and kept with it. */
async function embedMemory(prep: Prepared, store: EmbeddingStore, options: EmbedOptions): Promise<void> {
  if (!prep.vectors.get(store)) prep.vectors.set(store, await store.embed(prep.bodies, options));
  if (!prep.wordVectors.get(store))
    prep.wordVectors.set(store, await store.embed(vocabularyOf(prep).vocabulary, options));
}

/**
 * The memory's first pass apart from any call: no caller's signal stops it (the store's closing
 * does). A failed pass is forgotten, so a later call starts it again.
 */
function warmMemory(prep: Prepared, store: EmbeddingStore): Promise<void> {
  const warm = embedMemory(prep, store, {}).finally(() => {
    prep.warming.delete(store);
    prep.overdue.delete(store);
  });
  warm.catch((error: unknown) => {
    if (error instanceof ModelLoadError) prep.warmFailed.set(store, error);
  });
  prep.warming.set(store, warm);
  return warm;
}

/**
 * Waits for `work` unless one of the signals fires first: true when it ended, false when the
 * dense signal fired; rejects with the caller's signal's reason, or with the work's error.
 */
async function raceWith(
  work: Promise<void>,
  signal: AbortSignal | undefined,
  denseSignal: AbortSignal | undefined,
): Promise<boolean> {
  let stop: () => void = () => {};
  const denseFired = new Promise<boolean>((resolve) => {
    // One turn of the event loop first: a memory whose vectors are all stored (a new process, a
    // memory parsed again) reads them back within it, and is ranked with them even past the deadline.
    const onDense = () => setImmediate(() => resolve(false));
    if (denseSignal?.aborted) onDense();
    else denseSignal?.addEventListener('abort', onDense, { once: true });
    stop = () => denseSignal?.removeEventListener('abort', onDense);
  });
  try {
    return await unlessAborted(Promise.race([work.then(() => true), denseFired]), signal);
  } finally {
    stop();
  }
}

/**
 * The query's terms for BM25, without the names of the memory's speakers: the speaker's own turns
 * are found by who speaks them (the speaker features), and in the other's turns the name is mostly
 * a form of address ("Glad it helps, Joanna!"), which in one session is rare enough for BM25 to
 * rank above the turn that answers ("What did Joanna finish writing?": "I wrapped up my second
 * script"). Other names (a friend, a place) stay. LoCoMo 1-3, each conversation ranked by a model
 * fitted on the other two, 5x / 10x / 20x: 254 / 249 / 236 -> 254 / 248 / 237 of 261 (the model
 * refitted); held out (4-5, once) 224 / 220 / 207 -> 225 / 221 / 209 of 236. Leaving the names out
 * of the question's vector as well cost 254 / 246 / 235 on 1-3: not done.
 */
function lexicalTerms(prep: Prepared, query: string): string[] {
  // A family of medicines asked for brings the memory's drugs of it (drug-classes.ts).
  const all = [...terms(query), ...terms(drugsAsked(query, () => vocabularyOf(prep).vocabulary).join(' '))];
  // A speaker named in brackets after a role ("Kunde (Herr Yılmaz):") is one too: the agent's every
  // polite turn names him (review 3 F-18: "Das tut mir sehr leid, Herr Yılmaz" ranked first for
  // "Wie viel Geld bekommt Herr Yılmaz zurück?").
  const speakers = new Set([...speakersOf(prep), ...bracketedSpeakers(prep)].flatMap((name) => terms(name)));
  if (!speakers.size) return all;
  const named = new Set([...queryNames(query)].flatMap((name) => terms(name)).filter((t) => speakers.has(t)));
  return all.filter((t) => !named.has(t));
}

/**
 * Signals.wordMatch. The memory's distinct words are embedded once (and cached with the memory and
 * in the store's SQLite file, as turns are); a query embeds its few words and compares them with
 * that vocabulary, not with every unit.
 */
async function wordMatches(
  prep: Prepared,
  query: string,
  store: EmbeddingStore,
  options: EmbedOptions,
): Promise<Float64Array> {
  const n = prep.memory.units.length;
  const { perUnit, vocabulary, stems } = vocabularyOf(prep);
  // Embedded with the memory's units before any query (embedMemory).
  const vectors = prep.wordVectors.get(store) as Float32Array[];
  // contentWords are without their accents (bm25.ts foldLatin): so are the names compared with them.
  const names = new Set([...queryNames(query)].map(foldLatin));
  const queryWords = [...new Set(contentWords(query))].filter((w) => !names.has(w));
  const out = new Float64Array(n);
  const q = queryWords.length;
  if (!q) return out;
  const queryVectors = await store.embed(queryWords, options);
  const queryStems = queryWords.map(stem);
  // sims[k * q + j]: vocabulary word k against query word j; 0 for the query's own word (BM25's part).
  const sims = new Float64Array(vocabulary.length * q);
  vocabulary.forEach((_, k) => {
    const s = stems[k];
    const u = vectors[k] as Float32Array;
    queryVectors.forEach((v, j) => {
      if (queryStems[j] !== s) sims[k * q + j] = Math.max(0, cosine(v, u));
    });
  });
  const best = new Float64Array(q);
  perUnit.forEach((ks, i) => {
    best.fill(0);
    for (const k of ks) for (let j = 0; j < q; j++) best[j] = Math.max(best[j] as number, sims[k * q + j] as number);
    let sum = 0;
    for (const b of best) sum += b;
    out[i] = sum / q;
  });
  return out;
}

/** The memory's distinct content words (unstemmed) and each unit's, once per memory. */
function vocabularyOf(prep: Prepared): NonNullable<Prepared['words']> {
  if (prep.words) return prep.words;
  const perUnit = prep.bodies.map((b) => [...new Set(contentWords(b))]);
  const vocabulary = [...new Set(perUnit.flat())];
  const at = new Map(vocabulary.map((w, k) => [w, k]));
  prep.words = {
    perUnit: perUnit.map((ws) => Int32Array.from(ws, (w) => at.get(w) as number)),
    vocabulary,
    stems: vocabulary.map(stem),
  };
  return prep.words;
}

/** The memory's speakers, as their labels name them, once per memory. */
/** The units of an email's frame (email-frames.ts), found once a memory: not again for each question. */
export function emailFramesOf(prep: Prepared): ReadonlySet<number> {
  prep.frames ??= new Set(emailFrames(prep.memory));
  return prep.frames;
}

/** The units holding a standing fact (standing-facts.ts), found once a memory. */
export function standingFactsOf(prep: Prepared): readonly number[] {
  prep.standing ??= standingFacts(prep.memory);
  return prep.standing;
}

/** The names in brackets after a speaker's role in the labels: "Agent (Melanie):" names Melanie. */
function bracketedSpeakers(prep: Prepared): string[] {
  return [
    ...new Set(
      prep.memory.units.flatMap((u) => (u.speaker && u.label ? [/\(([^)]{1,40})\)/.exec(u.label)?.[1] ?? ''] : [])),
    ),
  ].filter(Boolean);
}

export function speakersOf(prep: Prepared): ReadonlySet<string> {
  prep.speakers ??= new Set(prep.memory.units.flatMap((u) => (u.speaker ? [u.speaker] : [])));
  return prep.speakers;
}

/** Is the unit spoken by a person the query names (by first name)? */
export function spokenByNamed(u: MemoryUnit, names: ReadonlySet<string>): boolean {
  return u.speaker !== null && names.has(u.speaker.toLowerCase().split(/\s+/)[0] ?? '');
}

/** One whole-word pattern per name, made once per query (each unit is tested against them). */
export function namePatterns(names: ReadonlySet<string>): RegExp[] {
  return [...names].map((name) => new RegExp(`\\b${name.replace(/[^\p{L}'-]/gu, '')}\\b`, 'iu'));
}

/**
 * The hand-weighted relevance: `relevance` is a unit's own (BM25, dense above the memory's
 * average, the cue boosts), `score` adds context (a share of its best neighbour in the session,
 * a share of the session's best unit).
 */
export function handScores(
  prep: Prepared,
  query: string,
  signals: Signals,
  w: RelevanceWeights,
): { relevance: Float64Array; score: Float64Array } {
  const { units, groups } = prep.memory;
  const { bodies } = prep;
  const n = units.length;
  const relevance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    relevance[i] = w.lexical * (signals.lexical[i] as number);
    if (signals.dense) relevance[i] = (relevance[i] as number) + w.dense * Math.max(0, signals.dense[i] as number);
  }
  const names = queryNames(query);
  const dates = queryDates(query);
  const patterns = namePatterns(names);
  const speakerBoost = w.speaker + (isListQuestion(query) ? w.listSpeaker : 0);
  const when = w.time > 0 && WHEN.test(query);
  for (const u of units) {
    let boost = 0;
    if (spokenByNamed(u, names)) boost += speakerBoost;
    if (w.name > 0) for (const p of patterns) if (p.test(bodies[u.index] as string)) boost += w.name;
    if (dateMatches(groups[u.group]?.headerDate ?? null, dates)) boost += w.date;
    if (dayMatches(groups[u.group]?.headerDate ?? null, dates)) boost += w.date;
    if (when && TIME.test(bodies[u.index] as string)) boost += w.time;
    relevance[u.index] = (relevance[u.index] as number) + boost;
  }

  // Context: a unit is worth at least a share of its best neighbour in the same session.
  const score = Float64Array.from(relevance);
  for (let i = 0; i < n; i++) {
    const u = units[i] as MemoryUnit;
    for (const j of [i - 1, i + 1]) {
      const v = units[j];
      if (v && v.group === u.group) score[i] = Math.max(score[i] as number, w.neighbour * (relevance[j] as number));
    }
  }

  if (w.session > 0) {
    for (const g of groups) {
      let best = 0;
      for (const i of g.units) best = Math.max(best, relevance[i] as number);
      for (const i of g.units) score[i] = (score[i] as number) + w.session * best;
    }
  }
  return { relevance, score };
}
