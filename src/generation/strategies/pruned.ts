import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { Domain } from '../../contracts/source.ts';
import { InputError } from '../../errors/index.ts';
import { loadGgufModel } from '../../providers/local/llama.ts';
import { getEncoder } from '../../tokenizers/tiktoken.ts';
import { findProtectedSpans, type ProtectedSpan } from '../protect.ts';

/**
 * `pruned`: extractive, LLMLingua-style compression with a local GGUF. One forward pass scores
 * every model token by its surprisal in context (-ln p(token | prefix)); a word's information is
 * the sum over its tokens. Words are kept by information per o200k token until the requested
 * ratio (o200k tokens out / in) is met, or by a score threshold; protected spans (numbers, names,
 * dates, identifiers, URLs, speaker labels, user marks) are always kept, and only whole
 * whitespace-delimited words are ever removed. Deterministic: same input and settings, same bytes.
 */

export interface PrunerOptions {
  /** Path of the GGUF file (SmolLM2, Gemma 3 270M, ...). */
  modelPath: string;
  /** CPU threads; node-llama-cpp's default oversubscribes small machines badly. */
  threads?: number;
  /** Context size; longer texts are scored in windows of this many tokens. */
  contextSize?: number;
  /** Tokens of the preceding text carried into each later window as conditioning. */
  overlapTokens?: number;
  /** How many of the most likely next tokens the model reports per position (surprisal precision). */
  topK?: number;
}

export interface PruneOptions {
  /** Kept fraction of o200k tokens (compressed / original), in (0, 1]. */
  ratio?: number;
  /** Keep every word whose information per o200k token (nats) is at least this. */
  threshold?: number;
  /** Condition on a question (LongLLMLingua-like): keep what bears on it. */
  question?: string;
  /** Literal strings and regular expressions that must be kept verbatim. */
  protect?: readonly (string | RegExp)[];
  domain?: Domain;
}

export type ScoreOptions = Pick<PruneOptions, 'question' | 'protect' | 'domain'>;

/** A text scored by the model: what selection needs, at any ratio or threshold. */
export interface Scored {
  text: string;
  units: Unit[];
  /** o200k tokens of each word with its leading whitespace. */
  cost: Float64Array;
  /** 1 where a word holds a protected span. */
  locked: Uint8Array;
  /** The word each model token belongs to, and each token's surprisal (nats). */
  tokenOwner: Int32Array;
  surprisal: Float64Array;
  /** Surprisal with the question before the text. */
  questionSurprisal?: Float64Array;
  /** Lexical relevance to the question, per word. */
  bonus?: Float64Array;
  totalTokens: number;
  modelTokens: number;
}

export interface PruneResult {
  text: string;
  /** o200k tokens of the result and of the input. */
  keptTokens: number;
  totalTokens: number;
  ratio: number;
  keptWords: number;
  totalWords: number;
  /** Words kept because they hold a protected span. */
  protectedWords: number;
  /** The protected words alone exceed the requested ratio: the result is as small as allowed. */
  protectedExceedsBudget: boolean;
  /** Model tokens evaluated (prefixes and overlaps included). */
  modelTokens: number;
  seconds: number;
}

export interface Pruner {
  prune(text: string, options: PruneOptions): Promise<PruneResult>;
  /** The model's scores for a text, to select from at several ratios (`selectWords`). */
  score(text: string, options?: ScoreOptions): Promise<Scored>;
  /**
   * The speed floor: the same model tokens through the same context in the same windows, without
   * asking for any probabilities (node-llama-cpp's plain evaluation).
   */
  forwardPass(text: string): Promise<{ tokens: number; seconds: number }>;
  /** The settings that change the scores (recorded on candidates). */
  readonly settings: { contextSize: number; topK: number };
  dispose(): Promise<void>;
}

export const prunedStrategy = {
  name: 'pruned',
  version: 1,
  description: 'extractive word pruning by local-model surprisal; protected spans kept; question-aware',
  params: ['ratio', 'threshold', 'question', 'protect', 'model', 'contextSize', 'topK'],
} as const;

export interface PrunedCandidate {
  strategy: 'pruned';
  /** Everything that determines the bytes: store it with the pair. */
  params: {
    version: number;
    model: string;
    contextSize: number;
    topK: number;
    ratio?: number;
    threshold?: number;
    question?: string;
    protect?: string[];
  };
  text: string;
  tokensBefore: number;
  tokensAfter: number;
  seconds: number;
}

/**
 * The strategy: one source, candidates at each ratio (and/or a threshold) from one forward pass.
 * `model` names the GGUF for the record (its file name or a hash, as the caller prefers).
 */
export async function prunedCandidates(
  pruner: Pruner,
  source: { text: string; domain?: Domain },
  options: Omit<PruneOptions, 'ratio' | 'domain'> & { ratios?: readonly number[]; model: string },
): Promise<PrunedCandidate[]> {
  const t0 = performance.now();
  const targets = [
    ...(options.ratios ?? []).map((ratio) => ({ ratio })),
    ...(options.threshold !== undefined ? [{ threshold: options.threshold }] : []),
  ];
  for (const t of targets) checkTarget(t);
  if (targets.length === 0) throw new InputError('pruned needs ratios or a threshold', { field: 'ratios' });
  const scored = await pruner.score(source.text, {
    ...(source.domain ? { domain: source.domain } : {}),
    ...(options.question ? { question: options.question } : {}),
    ...(options.protect ? { protect: options.protect } : {}),
  });
  const o200k = await o200kCounter();
  const seconds = (performance.now() - t0) / 1000;
  return targets.map((t) => {
    const r = selectWords(scored, t, o200k);
    return {
      strategy: 'pruned' as const,
      params: {
        version: prunedStrategy.version,
        model: options.model,
        ...pruner.settings,
        ...t,
        ...(options.question ? { question: options.question } : {}),
        ...(options.protect?.length
          ? { protect: options.protect.map((p) => (typeof p === 'string' ? p : String(p))) }
          : {}),
      },
      text: r.text,
      tokensBefore: r.totalTokens,
      tokensAfter: r.keptTokens,
      seconds,
    };
  });
}

/** A whitespace-delimited word with the whitespace before it. */
export interface Unit {
  start: number;
  /** Where the word starts (after the leading whitespace). */
  word: number;
  end: number;
}

export function splitUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (const m of text.matchAll(/(\s*)(\S+)/g)) {
    const start = m.index;
    units.push({ start, word: start + (m[1] ?? '').length, end: start + m[0].length });
  }
  return units;
}

/** Units overlapping a protected span (a span inside a word protects the whole word). */
export function protectedUnits(units: readonly Unit[], spans: readonly ProtectedSpan[]): Uint8Array {
  const out = new Uint8Array(units.length);
  let s = 0;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    while (s < spans.length && (spans[s] as ProtectedSpan).end <= u.word) s++;
    for (let k = s; k < spans.length && (spans[k] as ProtectedSpan).start < u.end; k++) out[i] = 1;
  }
  return out;
}

/**
 * The kept words joined as they were written. A dropped word that began a line hands its line
 * break to the next kept word, so lines (dialogue turns) never merge.
 */
export function renderKept(text: string, units: readonly Unit[], keep: Uint8Array): string {
  let out = '';
  let pendingBreak: string | undefined;
  let first = true;
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    const ws = text.slice(u.start, u.word);
    if (!keep[i]) {
      if (ws.includes('\n') && (!pendingBreak || count(ws, '\n') > count(pendingBreak, '\n'))) pendingBreak = ws;
      continue;
    }
    // The first word kept starts where the text started (its leading whitespace, usually none).
    const lead = first ? text.slice(0, units[0]?.start ?? 0) : pendingBreak && !ws.includes('\n') ? pendingBreak : ws;
    out += lead + text.slice(u.word, u.end);
    pendingBreak = undefined;
    first = false;
  }
  return out;
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

const STOP = new Set(
  'a an the of in on at to for and or but is are was were be been with by from as that this it its his her their they he she i you we my your our me him them into about over after before than then so not no yes do does did has have had will would can could what when where who whom which how why whose'.split(
    ' ',
  ),
);
const contentWords = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w));
// A crude stem: the first five characters ("learning" ~ "learn", "started" ~ "start").
const stem = (w: string) => w.slice(0, 5);

/**
 * Lexical relevance to the question: a word sharing a stem with a question content word, and the
 * words of a sentence (or line, or turn) holding such words, get a bonus in nats per o200k token.
 */
function questionBonus(text: string, units: readonly Unit[], question: string): Float64Array {
  const q = new Set(contentWords(question).map(stem));
  const bonus = new Float64Array(units.length);
  if (q.size === 0) return bonus;
  const hits = units.map((u) => contentWords(text.slice(u.word, u.end)).some((w) => q.has(stem(w))));
  let lineStart = 0;
  for (let i = 0; i <= units.length; i++) {
    const u = units[i];
    const prev = units[i - 1];
    const boundary =
      u === undefined ||
      (prev !== undefined &&
        (text.slice(u.start, u.word).includes('\n') || /[.!?]["')\]]*$/.test(text.slice(prev.word, prev.end))));
    if (!boundary) continue;
    const matched = new Set<string>();
    for (let k = lineStart; k < i; k++) {
      if (!hits[k]) continue;
      for (const w of contentWords(text.slice((units[k] as Unit).word, (units[k] as Unit).end))) {
        if (q.has(stem(w))) matched.add(stem(w));
      }
    }
    const share = matched.size / q.size;
    for (let k = lineStart; k < i; k++) bonus[k] = 6 * share + (hits[k] ? 4 : 0);
    lineStart = i;
  }
  return bonus;
}

function checkTarget(opts: PruneOptions): void {
  if (opts.ratio === undefined && opts.threshold === undefined)
    throw new InputError('pruned needs a ratio or a threshold', { field: 'ratio' });
  if (opts.ratio !== undefined && !(opts.ratio > 0 && opts.ratio <= 1))
    throw new InputError(`ratio must be in (0, 1], got ${opts.ratio}`, { field: 'ratio' });
}

async function o200kCounter(): Promise<(s: string) => number> {
  const enc = await getEncoder('o200k');
  return (s: string) => (s ? enc.encode(s, [], []).length : 0);
}

// Function words, fillers and stock reactions: what a reader restores without help. Content words
// (everything else) get a bonus, so selection spends the budget on what carries facts.
const FUNCTION_WORDS = new Set(
  (
    'a an the of in on at to for and or but nor yet so if then than that this these those there here it ' +
    "its it's itself i i'm i've i'll i'd me my mine myself you you're you've you'll you'd your yours " +
    "yourself he he's him his himself she she's her hers herself we we're we've we'll our ours ourselves " +
    "they they're they've their theirs them themselves who whom whose which what when where why how " +
    'whatever whenever is are was were be been being am do does did doing done have has had having will ' +
    'would shall should can could may might must not no yes as with by from into onto about above below ' +
    'over under after before during through between among up down out off again further once just very ' +
    'really too also only even still quite so such much many more most some any all both each every ' +
    'either neither other another own same few lot lots kind sort thing things way ways oh wow yeah hey ' +
    'hi hello thanks thank please okay ok um uh well like get got getting go going gone went make made ' +
    'makes making know knew think thought say said tell told see saw seen look looks looking feel feels ' +
    'felt want wants wanted really definitely totally absolutely actually probably maybe sure right great ' +
    'good nice awesome amazing cool glad happy sounds sound super pretty always never ever sometimes ' +
    "often because while although though since until unless whether let's let that's what's it'd there's " +
    "here's can't don't didn't doesn't isn't aren't wasn't weren't won't wouldn't couldn't shouldn't " +
    "haven't hasn't hadn't"
  ).split(' '),
);
/** Bonus (nats per o200k token) for a content word, and the share of the previous word's density it inherits. */
const CONTENT_BONUS = 4;
const CARRY = 1;

const bare = (w: string) =>
  w
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[^\p{L}\p{N}']/gu, '');

/**
 * Information per o200k token of each word: the sum of its tokens' surprisal (with a question,
 * plus how much knowing the question made each token more expected, LongLLMLingua's contrastive
 * perplexity) over its o200k tokens. Two corrections to raw surprisal, which a small model makes
 * too willing to drop predictable content ("mental *health*", "guinea *pig*"): content words get
 * a flat bonus, and a content word inherits how much more informative the word before it was, so
 * phrases stay whole. With a question, lexical relevance is added.
 */
export function wordDensity(scored: Scored): Float64Array {
  const { text, units, cost, tokenOwner, surprisal, questionSurprisal, bonus } = scored;
  const raw = new Float64Array(units.length);
  for (let t = 0; t < tokenOwner.length; t++) {
    const w = tokenOwner[t] as number;
    let s = surprisal[t] as number;
    if (questionSurprisal) s += Math.max(0, s - (questionSurprisal[t] as number));
    raw[w] = (raw[w] as number) + s;
  }
  for (let i = 0; i < raw.length; i++) raw[i] = (raw[i] as number) / (cost[i] as number);
  const density = new Float64Array(units.length);
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as Unit;
    const content = !FUNCTION_WORDS.has(bare(text.slice(u.word, u.end)));
    const here = raw[i] as number;
    const carried = content && i > 0 ? CARRY * Math.max(0, (raw[i - 1] as number) - here) : 0;
    density[i] = here + (content ? CONTENT_BONUS : 0) + carried + (bonus?.[i] ?? 0);
  }
  return density;
}

/**
 * Keeps the protected words, then free words by information per token (highest first, ties in
 * text order) until the ratio is met, or every word at or above the threshold. Pure.
 */
export function selectWords(
  scored: Scored,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
): Omit<PruneResult, 'seconds'> {
  const { text, units, totalTokens, modelTokens } = scored;
  const density = wordDensity(scored);
  // Whole low-information turns (greetings, thanks, near-repeats) go before any word is pruned:
  // their words, protected ones included, are never candidates when a ratio is asked.
  const turns = dialogueTurns(text, units);
  const ratioMode = opts.ratio !== undefined && opts.ratio < 1;
  const out0 = new Uint8Array(units.length);
  const dropTurn = (t: Turn) => {
    for (let i = t.first; i <= t.last; i++) out0[i] = 1;
  };
  if (ratioMode) for (const t of lowInformationTurns(text, units, turns)) dropTurn(turns[t] as Turn);
  const bareTurns = (keep: Uint8Array) =>
    turns.filter((t) => {
      for (let i = t.labelEnd + 1; i <= t.last; i++) if (keep[i]) return false;
      for (let i = t.first; i <= t.labelEnd; i++) if (keep[i]) return true;
      return false;
    });
  let picked = selectOnce(scored, density, out0, opts, o200k);
  // A turn left with nothing but its speaker label goes whole, and the budget it held is spent
  // again on the other turns (a few rounds: freeing labels can leave other turns bare).
  for (let round = 0; round < 4 && ratioMode; round++) {
    const bare = bareTurns(picked.keep);
    if (!bare.length) break;
    for (const t of bare) dropTurn(t);
    picked = selectOnce(scored, density, out0, opts, o200k);
  }
  const { keep, protectedWords, protectedExceedsBudget } = picked;
  for (const t of bareTurns(keep)) for (let i = t.first; i <= t.labelEnd; i++) keep[i] = 0;
  const out = renderKept(text, units, keep);
  const keptTokens = o200k(out);
  let keptWords = 0;
  for (const k of keep) keptWords += k;
  return {
    text: out,
    keptTokens,
    totalTokens,
    ratio: totalTokens ? keptTokens / totalTokens : 1,
    keptWords,
    totalWords: units.length,
    protectedWords,
    protectedExceedsBudget,
    modelTokens,
  };
}

/** One selection: the locked words (minus those of `out0`), then free words by density to the ratio. */
function selectOnce(
  scored: Scored,
  density: Float64Array,
  out0: Uint8Array,
  opts: Pick<PruneOptions, 'ratio' | 'threshold'>,
  o200k: (s: string) => number,
): { keep: Uint8Array; protectedWords: number; protectedExceedsBudget: boolean } {
  const { text, units, cost, totalTokens } = scored;
  const keep = new Uint8Array(units.length);
  const locked = Uint8Array.from(scored.locked, (v, i) => (out0[i] ? 0 : v));
  let protectedWords = 0;
  let protectedCost = 0;
  for (let i = 0; i < units.length; i++) {
    if (!locked[i]) continue;
    keep[i] = 1;
    protectedWords++;
    protectedCost += cost[i] as number;
  }
  let protectedExceedsBudget = false;
  if (opts.ratio !== undefined) {
    const target = opts.ratio * totalTokens;
    const order = units
      .map((_, i) => i)
      .filter((i) => !locked[i] && !out0[i])
      .sort((a, b) => (density[b] as number) - (density[a] as number) || a - b);
    const prefixCost = new Float64Array(order.length + 1);
    order.forEach((i, k) => {
      prefixCost[k + 1] = (prefixCost[k] as number) + (cost[i] as number);
    });
    // The longest prefix of `order` whose cost fits the budget (binary search).
    const take = (budget: number) => {
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((prefixCost[mid] as number) <= budget) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const apply = (n: number) => {
      keep.set(locked);
      for (let k = 0; k < n; k++) keep[order[k] as number] = 1;
      return o200k(renderKept(text, units, keep));
    };
    let budget = target - protectedCost;
    protectedExceedsBudget = budget < 0;
    let n = take(Math.max(0, budget));
    let got = apply(n);
    // Words counted alone differ slightly from the joined text: correct a few times.
    for (let round = 0; round < 3 && Math.abs(got - target) > 0.01 * totalTokens && !protectedExceedsBudget; round++) {
      budget += target - got;
      const next = take(Math.max(0, budget));
      if (next === n) break;
      n = next;
      got = apply(n);
    }
  } else {
    const threshold = opts.threshold as number;
    for (let i = 0; i < units.length; i++) if ((density[i] as number) >= threshold) keep[i] = 1;
  }
  return { keep, protectedWords, protectedExceedsBudget };
}

/** A dialogue turn: the units of one `Speaker: text` line, its label's last unit. */
export interface Turn {
  first: number;
  /** The unit ending the `Speaker:` label. */
  labelEnd: number;
  last: number;
}

const LABEL = /^[\p{Lu}][\p{L}\p{N} .'_-]{0,39}?:$/u;

/** Lines that start with a speaker label (one to four words ending in ":"), as unit ranges. */
export function dialogueTurns(text: string, units: readonly Unit[]): Turn[] {
  const out: Turn[] = [];
  let i = 0;
  while (i < units.length) {
    const u = units[i] as Unit;
    const startsLine = i === 0 || text.slice(u.start, u.word).includes('\n');
    if (!startsLine) {
      i++;
      continue;
    }
    let last = i;
    while (
      last + 1 < units.length &&
      !text.slice((units[last + 1] as Unit).start, (units[last + 1] as Unit).word).includes('\n')
    )
      last++;
    let labelEnd = -1;
    for (let k = i; k <= Math.min(last, i + 3); k++) {
      const label = text.slice(u.word, (units[k] as Unit).end);
      if (LABEL.test(label)) {
        labelEnd = k;
        break;
      }
    }
    if (labelEnd >= 0 && labelEnd < last) out.push({ first: i, labelEnd, last });
    i = last + 1;
  }
  return out;
}

// Stock phrases of small talk: a turn made only of these (and names) carries nothing to answer from.
const SMALL_TALK = new Set(
  (
    'hey hi hello hiya yo morning evening good great awesome amazing wow cool nice thanks thank you so much ' +
    'really glad happy to hear that sounds lovely fun see talk later bye goodbye care take catch up soon ' +
    'yeah yes yep sure ok okay totally absolutely agreed agree same here too me definitely of course ' +
    'congrats congratulations love it always anytime no problem welcome hope well doing how are you been ' +
    'what about and the a it is was that this i we for with'
  ).split(' '),
);

const wordsOf = (s: string) =>
  (
    s
      .toLowerCase()
      .replace(/[’]/g, "'")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  ).map((w) => w.replace(/'s$/, ''));

/**
 * Turns to drop whole before pruning: small talk (every word a greeting, thanks, agreement or a
 * name, at most 12 words, no number), and near-repeats (content words at least 80 % the same as an
 * earlier turn's). Turns with a photo, a number or a date are never dropped.
 */
export function lowInformationTurns(text: string, units: readonly Unit[], turns: readonly Turn[]): Set<number> {
  const out = new Set<number>();
  const seen: Set<string>[] = [];
  turns.forEach((t, k) => {
    const body = text.slice((units[t.labelEnd + 1] as Unit).word, (units[t.last] as Unit).end);
    const words = wordsOf(body);
    if (/\d|\[shares|https?:/.test(body)) {
      seen.push(new Set(words.filter((w) => !FUNCTION_WORDS.has(w))));
      return;
    }
    const names = new Set(
      (body.match(/\b[\p{Lu}][\p{Ll}]+/gu) ?? []).map((w) => w.toLowerCase()).filter((w) => !SMALL_TALK.has(w)),
    );
    const smallTalk = words.length > 0 && words.length <= 12 && words.every((w) => SMALL_TALK.has(w) || names.has(w));
    const content = new Set(words.filter((w) => !FUNCTION_WORDS.has(w) && !SMALL_TALK.has(w)));
    const repeat =
      content.size >= 3 &&
      seen.some((prev) => {
        let shared = 0;
        for (const w of content) if (prev.has(w)) shared++;
        return shared / content.size >= 0.8;
      });
    if (smallTalk || repeat) out.add(k);
    seen.push(content);
  });
  return out;
}

/** Sorted by start, overlapping spans merged (protectedUnits walks them in one pass). */
function mergeSpans(spans: readonly ProtectedSpan[]): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const sp of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && sp.start <= last.end) last.end = Math.max(last.end, sp.end);
    else out.push({ ...sp });
  }
  return out;
}

const NUMBER_WORD =
  '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|a couple of|a few|several|a dozen|half a|a half)';

/**
 * Multi-word phrases an answer needs whole, which word-level pruning would otherwise thin out:
 * frequencies ("once or twice a year", "every other week", "three times a month") and quantities
 * spelled in words ("two kids", "a couple of years").
 */
export function phraseSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const patterns = [
    new RegExp(
      `\\b(?:(?:once|twice|${NUMBER_WORD} times?)(?:\\s+or\\s+(?:once|twice|${NUMBER_WORD} times?))?|every(?:\\s+other)?|each)\\s+(?:a\\s+|per\\s+|every\\s+|other\\s+)?(?:day|night|week(?:end)?|month|year|summer|winter|morning|evening)s?\\b`,
      'gi',
    ),
    new RegExp(`\\b${NUMBER_WORD}\\s+(?:[\\p{Ll}]+\\s+)?(?:[\\p{Ll}]+s)\\b`, 'giu'),
  ];
  for (const re of patterns)
    for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  return out;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
}

export function createPruner(options: PrunerOptions): Pruner {
  const contextSize = options.contextSize ?? 2048;
  const overlap = options.overlapTokens ?? 64;
  const topK = options.topK ?? 40;
  let loading: Promise<Loaded> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // One sequence: model work runs one call at a time, in call order.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  const load = () => {
    loading ??= (async () => {
      const { llama, model } = await loadGgufModel(options.modelPath, { cpuOnly: true });
      const context = await model.createContext({
        contextSize,
        batchSize: contextSize,
        threads: options.threads ?? 2,
      });
      return { llama, model, context, sequence: context.getSequence() };
    })();
    return loading;
  };

  /**
   * Surprisal (nats) of each token, one forward pass per window. `prefix` conditions the first
   * window (the question); later windows also see the last `overlap` tokens before them.
   * Probabilities come from the model's top-k (renormalised); a token outside it scores as at
   * least as surprising as the k-th candidate.
   */
  async function surprisals(
    loaded: Loaded,
    tokens: readonly Token[],
    prefix: readonly Token[],
    wanted: Uint8Array,
  ): Promise<{ out: Float64Array; evaluated: number }> {
    const { sequence } = loaded;
    let evaluated = 0;
    const out = new Float64Array(tokens.length).fill(Number.NaN);
    const gen = { generateNext: { probabilities: true, options: { topK, topP: 1, minP: 0, temperature: 1, seed: 1 } } };
    let start = 0;
    while (start < tokens.length) {
      const carried = start === 0 ? prefix : tokens.slice(Math.max(0, start - overlap), start);
      const room = contextSize - carried.length - 1;
      const end = Math.min(tokens.length, start + Math.max(1, room));
      const input: Parameters<LlamaContextSequence['controlledEvaluate']>[0] = [];
      for (let i = 0; i < carried.length; i++) {
        const t = carried[i] as Token;
        input.push(i === carried.length - 1 && wanted[start] ? [t, gen] : t);
      }
      for (let i = start; i < end; i++) {
        const t = tokens[i] as Token;
        input.push(i < end - 1 && wanted[i + 1] ? [t, gen] : t);
      }
      await sequence.clearHistory();
      const res = await sequence.controlledEvaluate(input);
      evaluated += input.length;
      // The output at input position j predicts the token at j + 1.
      for (let i = start; i < end; i++) {
        const j = carried.length + (i - start) - 1;
        const probs = j >= 0 ? res[j]?.next.probabilities : undefined;
        if (!probs) continue;
        const p = probs.get(tokens[i] as Token);
        if (p !== undefined && p > 0) {
          out[i] = -Math.log(p);
        } else {
          let min = 1;
          for (const v of probs.values()) if (v < min) min = v;
          out[i] = -Math.log(Math.max(min, 1e-12)) + Math.LN2;
        }
      }
      start = end;
    }
    // A token with no prediction (the very first, or one not wanted) scores as the mean.
    let sum = 0;
    let n = 0;
    for (const v of out) {
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    const mean = n ? sum / n : 0;
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i] as number)) out[i] = mean;
    return { out, evaluated };
  }

  async function score(text: string, opts: ScoreOptions = {}): Promise<Scored> {
    if (opts.domain === 'code')
      throw new InputError(
        'pruned does not prune code: token-level deletion breaks programs; use the code path (whole lines or syntax nodes)',
        { field: 'domain' },
      );
    const loaded = await load();
    const o200k = await o200kCounter();
    const units = splitUnits(text);
    const spans = findProtectedSpans(text, {
      ...(opts.protect ? { protect: opts.protect } : {}),
      ...(opts.domain ? { domain: opts.domain } : {}),
    });
    // Model tokens per word: each word (with its leading whitespace) is tokenized alone, which is
    // how a byte-level BPE splits it inside the text too, so token -> word is known exactly.
    const owner: number[] = [];
    const tokens: Token[] = [];
    const cost = new Float64Array(units.length);
    units.forEach((u, i) => {
      const piece = text.slice(u.start, u.end);
      for (const t of loaded.model.tokenize(piece, false)) {
        tokens.push(t);
        owner.push(i);
      }
      cost[i] = Math.max(1, o200k(piece));
    });
    const leadingWs = text.slice(0, units[0]?.start ?? 0);
    const locked = protectedUnits(units, mergeSpans([...spans, ...phraseSpans(text)]));
    // Protected words are kept whatever they score: no probabilities are asked for their tokens,
    // which saves the output layer and the sampling for about a sixth of a dialogue's tokens.
    const wanted = Uint8Array.from(owner, (w) => (locked[w] ? 0 : 1));
    const { question } = opts;
    const run = async () => {
      // Models trained with a BOS token (Gemma) predict badly without it; SmolLM2 has none.
      const bos =
        loaded.model.tokens.shouldPrependBosToken && loaded.model.tokens.bos !== null ? [loaded.model.tokens.bos] : [];
      const start = [...bos, ...loaded.model.tokenize(`${leadingWs}\n`, false)];
      const base = await surprisals(loaded, tokens, start, wanted);
      if (!question) return { base: base.out, withQuestion: undefined, modelTokens: base.evaluated };
      const qPrefix = [...bos, ...loaded.model.tokenize(`Question: ${question}\nContext:\n`, false)];
      const withQuestion = await surprisals(loaded, tokens, qPrefix, wanted);
      return { base: base.out, withQuestion: withQuestion.out, modelTokens: base.evaluated + withQuestion.evaluated };
    };
    const { base, withQuestion, modelTokens } = await serial(run);
    return {
      text,
      units,
      cost,
      locked,
      tokenOwner: Int32Array.from(owner),
      surprisal: base,
      ...(withQuestion ? { questionSurprisal: withQuestion } : {}),
      ...(question ? { bonus: questionBonus(text, units, question) } : {}),
      totalTokens: o200k(text),
      modelTokens,
    };
  }

  async function prune(text: string, opts: PruneOptions): Promise<PruneResult> {
    const t0 = performance.now();
    checkTarget(opts);
    const scored = await score(text, opts);
    const result = selectWords(scored, opts, await o200kCounter());
    return { ...result, seconds: (performance.now() - t0) / 1000 };
  }

  async function forwardPass(text: string): Promise<{ tokens: number; seconds: number }> {
    const loaded = await load();
    const tokens = splitUnits(text).flatMap((u) => loaded.model.tokenize(text.slice(u.start, u.end), false));
    const run = async () => {
      const t0 = performance.now();
      for (let start = 0; start < tokens.length; start += contextSize) {
        await loaded.sequence.clearHistory();
        await loaded.sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, start + contextSize));
      }
      return { tokens: tokens.length, seconds: (performance.now() - t0) / 1000 };
    };
    return serial(run);
  }

  return {
    prune,
    score,
    settings: { contextSize, topK },
    forwardPass,
    async dispose() {
      if (!loading) return;
      const { llama, model, context } = await loading.catch(() => ({}) as Partial<Loaded>);
      await context?.dispose();
      await model?.dispose();
      await llama?.dispose();
      loading = undefined;
    },
  };
}
