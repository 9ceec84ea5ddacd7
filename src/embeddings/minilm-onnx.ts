import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { z } from 'zod';
import { ModelLoadError } from '../errors/index.ts';
import { serialQueue } from '../util/serial.ts';
import type { Embedder, EmbedOptions } from './minilm.ts';
import { normalise, pairSimilarity, splitEvenly, WINDOW_TOKENS } from './minilm.ts';
import { openOnnxSession, readOnnxFolder } from './onnx-folder.ts';
import { loadWordPiece, type WordPiece } from './wordpiece.ts';

/**
 * all-MiniLM-L6-v2 through onnxruntime-node: the folder native/classifier/export_embedder.py writes
 * (model.onnx, vocab.txt, embedder.json), its graph giving each row's mean-pooled, L2-normalised
 * vector. onnxruntime runs this small model several times faster than node-llama-cpp runs its GGUF
 * (minilm.ts): a memory's first pass (thousands of turns and words) about 3x faster with fp32
 * weights on 2 cores, windows of near-equal length batched (bench/RESULTS.md). Texts
 * are cut into windows exactly as there and tokenised as BertTokenizerFast does, so the two give the
 * same vectors up to the weights' precision.
 */

const EmbedderMetaSchema = z.object({
  version: z.literal(1),
  kind: z.literal('sentence-embedder'),
  dimensions: z.number().int().positive(),
  maxSeqLength: z.number().int().min(8),
  quantized: z.boolean(),
  doLowerCase: z.boolean(),
  pooling: z.literal('mean'),
  normalized: z.literal(true),
  output: z.string().min(1),
  /** The export's model.onnx by sha256 (exports before it have none): what cached vectors are keyed on. */
  weightsSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type EmbedderMeta = z.infer<typeof EmbedderMetaSchema>;

/** True when `path` is an exported embedder folder (what `createSentenceEmbedder` runs with onnxruntime). */
export function isOnnxEmbedderDir(path: string): boolean {
  return existsSync(join(path, 'embedder.json'));
}

export function readEmbedderMeta(modelDir: string): EmbedderMeta {
  return readOnnxFolder(
    modelDir,
    'embedder.json',
    EmbedderMetaSchema,
    'not an exported embedder folder (studio models pull minilm)',
  );
}

export interface OnnxEmbedderOptions {
  modelDir: string;
  /** onnxruntime's intra-op threads; default: every core (a batch is one big matrix product per layer). */
  threads?: number;
  /**
   * Windows run together, at most (default 16; always 1 for int8 weights): padded to the longest of
   * them, so windows are sorted by length first. Larger batches gained nothing on 2 cores.
   */
  batchWindows?: number;
}

interface Window {
  text: number;
  ids: number[];
}

/**
 * The windows with distinct tokens, and for each window repeating one before it, that one: a
 * repeated window's vector is its first's.
 */
function distinctWindows(windows: readonly Window[]): { distinct: Window[]; sameAs: Map<Window, Window> } {
  const first = new Map<string, Window>();
  const sameAs = new Map<Window, Window>();
  const distinct: Window[] = [];
  for (const w of windows) {
    const key = w.ids.join(',');
    const seen = first.get(key);
    if (seen) sameAs.set(w, seen);
    else {
      first.set(key, w);
      distinct.push(w);
    }
  }
  return { distinct, sameAs };
}

interface Loaded {
  session: InferenceSession;
  ort: typeof import('onnxruntime-node');
  wp: WordPiece;
}

export function createOnnxEmbedder(options: OnnxEmbedderOptions): Embedder {
  const meta = readEmbedderMeta(options.modelDir);
  // The exported graph's positions go to 512, but the model was trained to 256: cut where it means something.
  const windowTokens = Math.min(meta.maxSeqLength, WINDOW_TOKENS);
  // int8 graphs quantise each layer's activations with one scale over the whole batch (onnxruntime's
  // DynamicQuantizeLinear), so a window's vector would depend on the windows beside it (cosine 0.990
  // against itself alone): they run one window at a time. fp32 is batch-invariant.
  const batchWindows = meta.quantized ? 1 : Math.max(1, Math.floor(options.batchWindows ?? 16));
  const serial = serialQueue();
  let loading: Promise<Loaded> | undefined;

  const load = () => {
    loading ??= (async () => {
      const file = join(options.modelDir, 'model.onnx');
      const { ort, session } = await openOnnxSession(
        file,
        options.threads ?? Math.max(1, availableParallelism()),
        'embedding model',
      );
      const vocab = join(options.modelDir, 'vocab.txt');
      let wp: WordPiece;
      try {
        wp = loadWordPiece(vocab, { lowercase: meta.doLowerCase });
      } catch (cause) {
        await session.release().catch(() => undefined);
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new ModelLoadError(`cannot read the embedding model's vocabulary: ${why}`, vocab, { cause });
      }
      return { session, ort, wp };
    })();
    // A failed load is not kept: the next call tries again (the folder may be whole by then).
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  async function runBatch(loaded: Loaded, batch: readonly Window[]): Promise<Float32Array[]> {
    const { ort, session, wp } = loaded;
    const width = Math.max(...batch.map((w) => w.ids.length)) + 2;
    const ids = new BigInt64Array(batch.length * width).fill(BigInt(wp.pad));
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((w, row) => {
      const at = row * width;
      const seq = [wp.cls, ...w.ids, wp.sep];
      seq.forEach((id, k) => {
        ids[at + k] = BigInt(id);
        mask[at + k] = 1n;
      });
    });
    const out = await session.run({
      input_ids: new ort.Tensor('int64', ids, [batch.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [batch.length, width]),
    });
    const data = out[meta.output]?.data;
    if (!(data instanceof Float32Array) || data.length !== batch.length * meta.dimensions)
      throw new ModelLoadError(
        `${options.modelDir}/model.onnx gave no "${meta.output}" of ${meta.dimensions} per row`,
        join(options.modelDir, 'model.onnx'),
      );
    return batch.map((_, row) => data.slice(row * meta.dimensions, (row + 1) * meta.dimensions));
  }

  async function embed(texts: readonly string[], embedOptions: EmbedOptions = {}): Promise<Float32Array[]> {
    const { signal } = embedOptions;
    signal?.throwIfAborted();
    const loaded = await load();
    const windows: Window[] = [];
    texts.forEach((text, i) => {
      const tokens = loaded.wp.encodeText(text);
      for (const ids of splitEvenly(tokens, windowTokens - 2)) windows.push({ text: i, ids });
    });
    // A window's vector depends on its tokens only (each runs alone, or in a batch it is invariant
    // to): the same tokens are run once. A line of 199,000 dashes is 783 windows of one `-` repeated,
    // each run in turn (35 s of 37 for 45,000 dashes with a question, session 40 F6).
    const { distinct, sameAs } = distinctWindows(windows);
    // Near-equal lengths side by side: a batch pads to its longest window.
    const order = distinct
      .map((_, i) => i)
      .sort((a, b) => (distinct[a] as Window).ids.length - (distinct[b] as Window).ids.length);
    const vectorOf = new Map<Window, Float32Array>();
    await serial(async () => {
      for (let start = 0; start < order.length; start += batchWindows) {
        signal?.throwIfAborted();
        const batch = order.slice(start, start + batchWindows).map((i) => distinct[i] as Window);
        const vectors = await runBatch(loaded, batch);
        batch.forEach((w, row) => {
          vectorOf.set(w, vectors[row] as Float32Array);
        });
      }
    }, signal);
    const sums = texts.map(() => new Float32Array(meta.dimensions));
    for (const w of windows) {
      // Each window's unit vector weighs by its tokens, as on the GGUF path.
      const weight = Math.max(1, w.ids.length);
      const v = vectorOf.get(sameAs.get(w) ?? w) as Float32Array;
      const sum = sums[w.text] as Float32Array;
      for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] as number) + (v[d] as number) * weight;
    }
    return sums.map(normalise);
  }

  return {
    embed,
    similarity: pairSimilarity(embed),
    async dispose() {
      if (!loading) return;
      const current = loading;
      loading = undefined;
      const loaded = await current.catch(() => undefined);
      // After the call running on it, if any: the session is released between batches, never under one.
      await serial(async () => loaded?.session.release());
    },
  };
}
