import { join } from 'node:path';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import { z } from 'zod';
import { openOnnxSession, readOnnxFolder } from '../embeddings/onnx-folder.ts';
import { loadWordPiece, type WordPiece } from '../embeddings/wordpiece.ts';
import { InputError } from '../errors/index.ts';
import {
  type PruneResult,
  scoredFromWordValues,
  selectWords,
  splitUnits,
  type Unit,
} from '../generation/strategies/pruned/index.ts';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { serialQueue } from '../util/serial.ts';

/**
 * The fast compressor: a keep/drop token classifier (the LLMLingua-2 recipe, trained in the app by
 * native/classifier) run with onnxruntime-node. The text's whitespace words are tokenized with the
 * model's own WordPiece vocabulary and scored in windows of whole lines (turns), each run at its own
 * length; a line longer than a window is cut into windows that overlap (a word near a cut is scored
 * again with context on both sides). A word's score is the mean keep probability of its pieces, and
 * the best words are kept to the ratio (o200k tokens out / in) or threshold. Protected
 * spans (src/generation/protect.ts) are always kept, lines (dialogue turns) never merge, a speaker
 * label left alone on its line goes, and code is refused (it keeps its own path). Deterministic:
 * scores are rounded before ranking and ties go to the earlier word.
 */

export const ClassifierMetaSchema = z.object({
  version: z.literal(1),
  kind: z.literal('token-classifier'),
  maxSeqLength: z.number().int().min(16).max(512),
  doLowerCase: z.boolean().default(true),
  layers: z.number().int().optional(),
  quantized: z.boolean().optional(),
  bestValLoss: z.number().nullable().optional(),
  steps: z.number().int().optional(),
});
export type ClassifierMeta = z.infer<typeof ClassifierMetaSchema>;

export interface ClassifierOptions {
  /** A folder with model.onnx, vocab.txt and classifier.json (what native/classifier exports). */
  modelDir: string;
  /** onnxruntime's intra-op threads (default 1: the CPU is shared). */
  threads?: number;
  /**
   * Tokens per window at most, [CLS] and [SEP] included (default 128, or the model's training
   * length if shorter): the training examples are a few turns, about 100 pieces, and attention's
   * cost per token grows with the window (bench/RESULTS.md, classifier-model).
   */
  windowTokens?: number;
  /** Tokens of context shared by consecutive windows cut from one long line (default 32). */
  overlapTokens?: number;
}

export interface ClassifyOptions {
  ratio?: number;
  /** Keep every word whose keep probability is at least this (0-1). */
  threshold?: number;
  protect?: readonly (string | RegExp)[];
  domain?: string;
}

/** The pruner's result: `modelTokens` counts the classifier's tokens ([CLS], [SEP] and overlaps included). */
export type ClassifiedText = PruneResult;

export interface WordScores {
  units: Unit[];
  /** Mean keep probability of each word's pieces, rounded to 1e-6. */
  keep: Float64Array;
  modelTokens: number;
}

export interface TokenClassifier {
  compress(text: string, options: ClassifyOptions): Promise<ClassifiedText>;
  score(text: string): Promise<WordScores>;
  load(): Promise<void>;
  readonly meta: ClassifierMeta;
  readonly settings: { windowTokens: number; overlapTokens: number; threads: number };
  dispose(): Promise<void>;
}

export function readClassifierMeta(modelDir: string): ClassifierMeta {
  return readOnnxFolder(
    modelDir,
    'classifier.json',
    ClassifierMetaSchema,
    'not a token classifier folder (train one: studio train classifier)',
  );
}

/** A window: a run of whole words (a word longer than a window is cut), with its pieces. */
export interface Window {
  ids: number[];
  /** The word each piece belongs to. */
  owner: number[];
  /** Cut from a line too long for one window: its edges share context with the next window's. */
  cut?: boolean;
}

/**
 * Windows over the words' pieces, at most `room` pieces each. Whole lines (dialogue turns) are
 * packed together, so a window starts where a turn starts, as the training examples did, and no
 * piece is scored twice; only a line longer than a window is cut, in windows that share about
 * `overlap` pieces of context. `lineStart[i]` says word i begins a line (all false: one long line).
 */
export function planWindows(
  pieces: readonly number[][],
  room: number,
  overlap: number,
  lineStart: ArrayLike<boolean | number> = [],
): Window[] {
  const out: Window[] = [];
  let current: Window = { ids: [], owner: [] };
  const flush = () => {
    if (current.ids.length) out.push(current);
    current = { ids: [], owner: [] };
  };
  let start = 0;
  while (start < pieces.length) {
    let end = start + 1;
    let size = (pieces[start] as number[]).length;
    while (end < pieces.length && !lineStart[end]) size += (pieces[end++] as number[]).length;
    if (size > room) {
      flush();
      out.push(...cutLine(pieces, start, end, room, overlap));
    } else {
      if (current.ids.length + size > room) flush();
      for (let w = start; w < end; w++)
        for (const id of pieces[w] as number[]) {
          current.ids.push(id);
          current.owner.push(w);
        }
    }
    start = end;
  }
  flush();
  return out;
}

/** Words [from, to) of one line too long for a window, in windows sharing about `overlap` pieces. */
function cutLine(pieces: readonly number[][], from: number, to: number, room: number, overlap: number): Window[] {
  const out: Window[] = [];
  let start = from;
  while (start < to) {
    const ids: number[] = [];
    const owner: number[] = [];
    let end = start;
    while (end < to) {
      const word = (pieces[end] as number[]).slice(0, room);
      if (ids.length && ids.length + word.length > room) break;
      for (const id of word) {
        ids.push(id);
        owner.push(end);
      }
      end++;
    }
    if (ids.length) out.push({ ids, owner, cut: true });
    if (end >= to) break;
    // Step back whole words until about `overlap` pieces are shared, never back to the start.
    let back = end;
    let shared = 0;
    while (back > start + 1 && shared < overlap) {
      back--;
      shared += Math.min(room, (pieces[back] as number[]).length);
    }
    start = back;
  }
  return out;
}

const DEFAULT_WINDOW_TOKENS = 128;

export function createTokenClassifier(options: ClassifierOptions): TokenClassifier {
  const meta = readClassifierMeta(options.modelDir);
  const threads = options.threads ?? 1;
  const windowTokens = Math.min(meta.maxSeqLength, options.windowTokens ?? DEFAULT_WINDOW_TOKENS);
  const overlap = Math.max(0, Math.min(options.overlapTokens ?? 32, Math.floor(windowTokens / 4)));
  let loading: Promise<{ session: OrtSession; ort: typeof import('onnxruntime-node'); wp: WordPiece }> | undefined;
  const serial = serialQueue();

  const load = () => {
    loading ??= (async () => {
      const { ort, session } = await openOnnxSession(join(options.modelDir, 'model.onnx'), threads, 'token classifier');
      const wp = loadWordPiece(join(options.modelDir, 'vocab.txt'), { lowercase: meta.doLowerCase });
      return { session, ort, wp };
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  async function score(text: string): Promise<WordScores> {
    const { session, ort, wp } = await load();
    const units = splitUnits(text);
    const pieces = units.map((u) => wp.encodeWord(text.slice(u.word, u.end)));
    const lineStart = units.map((u) => text.slice(u.start, u.word).includes('\n'));
    const windows = planWindows(pieces, windowTokens - 2, overlap, lineStart);
    const sum = new Float64Array(units.length);
    const weight = new Float64Array(units.length);
    let modelTokens = 0;
    await serial(async () => {
      // One window a call, at its own length: no padding is computed, and a batch would only add it.
      for (const w of windows) {
        const n = w.ids.length;
        const ids = new BigInt64Array(n + 2);
        ids[0] = BigInt(wp.cls);
        for (let k = 0; k < n; k++) ids[k + 1] = BigInt(w.ids[k] as number);
        ids[n + 1] = BigInt(wp.sep);
        modelTokens += n + 2;
        const out = await session.run({
          input_ids: new ort.Tensor('int64', ids, [1, n + 2]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(n + 2).fill(1n), [1, n + 2]),
        });
        const keep = out.keep?.data as Float32Array | undefined;
        if (!keep) throw new InputError(`${options.modelDir}/model.onnx has no "keep" output`);
        for (let k = 0; k < n; k++) {
          const word = w.owner[k] as number;
          // A piece near a cut inside a line has context on one side only: it counts less there
          // than in the window that overlaps it.
          const wgt = w.cut ? Math.min(1, Math.min(k + 1, n - k) / Math.max(1, overlap)) : 1;
          sum[word] = (sum[word] as number) + (keep[1 + k] as number) * wgt;
          weight[word] = (weight[word] as number) + wgt;
        }
      }
    });
    const keep = new Float64Array(units.length);
    for (let i = 0; i < units.length; i++) {
      const w = weight[i] as number;
      // A word with no pieces (control characters only) is worth nothing to keep.
      keep[i] = w > 0 ? Math.round(((sum[i] as number) / w) * 1e6) / 1e6 : 0;
    }
    return { units, keep, modelTokens };
  }

  async function compress(text: string, opts: ClassifyOptions): Promise<ClassifiedText> {
    const t0 = performance.now();
    if (opts.domain === 'code')
      throw new InputError('the token classifier does not compress code: code keeps its own path', { field: 'domain' });
    if (opts.ratio === undefined && opts.threshold === undefined)
      throw new InputError('the classifier needs a ratio or a threshold', { field: 'ratio' });
    if (opts.ratio !== undefined && !(opts.ratio > 0 && opts.ratio <= 1))
      throw new InputError(`ratio must be in (0, 1], got ${opts.ratio}`, { field: 'ratio' });
    const scores = await score(text);
    const r = selectClassified(text, scores, opts, await o200kCounter());
    return { ...r, seconds: (performance.now() - t0) / 1000 };
  }

  return {
    compress,
    score,
    async load() {
      await load();
    },
    meta,
    settings: { windowTokens, overlapTokens: overlap, threads },
    async dispose() {
      if (!loading) return;
      const loaded = await loading.catch(() => undefined);
      loading = undefined;
      await loaded?.session.release();
    },
  };
}

/**
 * Keep probability to information (nats per o200k token, the pruner's scale): `INFO_SCALE` times
 * its log-odds. The pruner's selection then adds its own corrections (content bonus, closed-class
 * and already-said words last), so the scale says how much the classifier's view weighs against
 * them. Chosen on LoCoMo conversations 1-3 (bench/classifier-model.ts prints the grid): retention at
 * keep 0.5 / 0.33 was 97.1 / 84.8 % at scales 0.5 to 2, 97.1 / 85.7 % at 4, 96.2 / 84.8 % at 8 (the
 * teacher's: 98.1 / 82.9 %); with the turn-value pruner, 0.5 to 4 tie at 98.1 / 87.6 % and 8 gives
 * 97.1 / 85.7 %. The selection rules, not the scale, carry most of it.
 */
export const INFO_SCALE = 4;

export function keepInformation(p: number, scale = INFO_SCALE): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return scale * Math.log(q / (1 - q));
}

/**
 * The words to keep, by the pruner's own selection (src/generation/strategies/pruned/select.ts)
 * over the classifier's keep probabilities turned into information: small-talk turns go whole,
 * closed-class and already-said words go first, whole turns go at harsh ratios, protected spans
 * stay, bare speaker labels go. A threshold is a keep probability, compared on the same scale.
 * Pure and deterministic.
 */
export function selectClassified(
  text: string,
  scores: WordScores,
  opts: ClassifyOptions,
  o200k: (s: string) => number,
  scale = INFO_SCALE,
): Omit<ClassifiedText, 'seconds'> {
  const info = Float64Array.from(scores.keep, (p) => keepInformation(p, scale));
  const scored = scoredFromWordValues(text, scores.units, info, o200k, {
    ...(opts.protect ? { protect: opts.protect } : {}),
    ...(opts.domain === 'chat' || opts.domain === 'nl' ? { domain: opts.domain } : {}),
    modelTokens: scores.modelTokens,
  });
  const target =
    opts.ratio !== undefined ? { ratio: opts.ratio } : { threshold: keepInformation(opts.threshold as number, scale) };
  return selectWords(scored, target, o200k);
}
