import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Llama, LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import { appRoot } from '../app-root.ts';
import { convertHfToGguf, type GgufOutType } from '../convert/hf-to-gguf.ts';
import { ensureMiniLMCheckpoint } from '../convert/minilm-checkpoint.ts';
import { ModelLoadError, StudioError } from '../errors/index.ts';
import { quietLlamaLogger } from '../providers/local/llama.ts';
import { cosine } from './cosine.ts';

/**
 * The tokens one window holds, [CLS] and [SEP] included: sentence-transformers' max_seq_length
 * for this model. The GGUF says 512 (BERT's position table), but the model was trained on 128 and
 * its authors cut at 256, so 256 is where it still means what it was trained to mean.
 */
export const WINDOW_TOKENS = 256;

/**
 * The path of all-MiniLM-L6-v2 as a GGUF (`.cache/models/all-minilm-l6-v2.<type>.gguf`),
 * converted on first use with llama.cpp's converter and reused after. f16 is the default: it
 * matches the reference (transformers, mean pooling, L2 norm) as closely as f32 does, at half the
 * size; q8_0 is ~1.6x faster but ~30x further from it. Concurrent callers are safe: the package
 * goes to a staging folder that is renamed into place, and the GGUF is written to a temporary name
 * and renamed (two first calls at once may both convert; each result is whole).
 */
export async function ensureMiniLM(options: { outType?: GgufOutType } = {}): Promise<string> {
  const outType = options.outType ?? 'f16';
  const dir = join(appRoot(), '.cache', 'models');
  const outFile = join(dir, `all-minilm-l6-v2.${outType}.gguf`);
  if (existsSync(outFile)) return outFile;
  return convertHfToGguf({ modelDir: await ensureMiniLMCheckpoint(), outFile, outType });
}

export interface EmbedderOptions {
  /** A BERT-style sentence-embedding GGUF with mean pooling, such as `ensureMiniLM()`'s. */
  modelPath: string;
  /** CPU threads; default: every core (node-llama-cpp's own default oversubscribes small machines ~20x). */
  threads?: number;
  /**
   * Contexts embedding side by side (each with `threads`), default 1. A small model on short texts
   * gains little from a second thread in one context (2 threads: 44 -> 33 ms a turn here, single
   * words slower) and nearly 2x from a second context of one thread each: a memory's first pass
   * (every turn and word embedded) is what it is for.
   */
  contexts?: number;
}

export interface EmbedOptions {
  /** Checked before each text: an abort rejects with the signal's reason, the rest unembedded. */
  signal?: AbortSignal;
}

export interface Embedder {
  /**
   * One L2-normalised vector per text, in order. A text longer than one window (256 tokens,
   * [CLS] and [SEP] included) is cut into near-equal windows whose vectors are averaged, weighted
   * by their token counts, and normalised again: answers and paragraphs are compared on all of
   * their content, where truncating (what sentence-transformers does) would ignore everything
   * after the first ~190 words. A text of up to 254 tokens is embedded exactly as
   * sentence-transformers does. An empty or whitespace-only text gets the model's vector for
   * "[CLS] [SEP]", as sentence-transformers gives it: a defined value, never an error, so one
   * empty answer does not fail a batch; it is far from any real sentence.
   */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Cosine similarity of the two texts' vectors, in [-1, 1] (paraphrases ~0.7+, unrelated ~0). */
  similarity(a: string, b: string): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * llama.cpp's and node-llama-cpp's warnings that every BERT embedding GGUF triggers and that
 * change nothing: the WordPiece vocabulary lowercases, so detokenising never gives the text back;
 * [SEP] ends a sequence without ending generation (there is none); and mean pooling needs every
 * token's output, which llama.cpp turns on itself, once per call (hundreds of lines a batch).
 */

interface Loaded {
  /** Held so it lives as long as the model it loaded. */
  llama: Llama;
  model: LlamaModel;
  contexts: LlamaEmbeddingContext[];
  /** [CLS] and [SEP]: added around every window, as BERT was trained. */
  cls: Token;
  sep: Token;
}

/**
 * Sentence embeddings from a local GGUF through node-llama-cpp. The model loads at the first call
 * and stays loaded until `dispose()`; nothing else is kept between calls. Each text is embedded
 * alone, one window at a time, on one of `contexts` (node-llama-cpp serialises the calls on a
 * context), so results do not depend on what else is in flight or on which context ran them.
 */
export function createEmbedder(options: EmbedderOptions): Embedder {
  let loading: Promise<Loaded> | undefined;

  const load = () => {
    loading ??= (async () => {
      const { getLlama } = await import('node-llama-cpp');
      // build: 'never': the prebuilt binaries; a source build would need the network.
      const llama = await getLlama({
        build: 'never',
        gpu: false,
        logger: await quietLlamaLogger(),
      });
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath: options.modelPath });
      } catch (cause) {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new ModelLoadError(`cannot load the embedding model ${options.modelPath}: ${why}`, options.modelPath, {
          cause,
        });
      }
      const { bos, eos } = model.tokens;
      if (bos === null || eos === null) {
        await model.dispose();
        throw new ModelLoadError(
          `${options.modelPath} has no [CLS]/[SEP] tokens: not a BERT-style embedding model`,
          options.modelPath,
        );
      }
      // One window plus room: node-llama-cpp refuses an input as long as the context.
      const contexts: LlamaEmbeddingContext[] = [];
      try {
        for (let i = 0; i < contextCount(options.contexts); i++)
          contexts.push(
            await model.createEmbeddingContext({
              contextSize: WINDOW_TOKENS * 2,
              threads: options.threads ?? Math.max(1, availableParallelism()),
            }),
          );
      } catch (cause) {
        // Past the first, a context that cannot be had (memory) costs speed, not the embedder.
        if (!contexts.length) {
          await model.dispose();
          throw cause;
        }
      }
      return { llama, model, contexts, cls: bos, sep: eos };
    })();
    // A failed load is not kept: the next call tries again (the file may be there by then).
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  /** `go` is asked before each window: a long text stops between windows when the call is given up. */
  async function embedOne(
    loaded: Loaded,
    context: LlamaEmbeddingContext,
    text: string,
    go: () => void,
  ): Promise<Float32Array> {
    const tokens = loaded.model.tokenize(text); // no special tokens: we add them per window
    const windows = splitEvenly(tokens, WINDOW_TOKENS - 2);
    const sum = new Float32Array(loaded.model.embeddingVectorSize);
    for (const window of windows) {
      go();
      const { vector } = await context.getEmbeddingFor([loaded.cls, ...window, loaded.sep]);
      // llama.cpp returns the mean-pooled vector unnormalised; sentence-transformers' last module
      // normalises, so each window is normalised before it is weighed.
      const unit = normalise(Float32Array.from(vector));
      const weight = Math.max(1, window.length);
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (unit[i] ?? 0) * weight;
    }
    return normalise(sum);
  }

  async function embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    const loaded = await load();
    const out: Float32Array[] = new Array(texts.length);
    // Each context takes the next text not yet taken: every text is embedded alone, so a vector
    // is the same whichever context made it, and the order out is the order in.
    let next = 0;
    let failed = false;
    let firstError: unknown;
    const go = () => {
      options.signal?.throwIfAborted();
      if (failed) throw new StudioError('stopped: another text of the call failed');
    };
    const worker = async (context: LlamaEmbeddingContext) => {
      try {
        // (embedOne asks `go` before its first window: a text is never started once the call is off.)
        while (next < texts.length) {
          const i = next++;
          out[i] = await embedOne(loaded, context, texts[i] as string, go);
        }
      } catch (error) {
        // The other contexts stop at their next window; the call fails with what stopped it first.
        if (!failed) firstError = error;
        failed = true;
      }
    };
    // The workers catch their errors, so the call returns only when no context is still working
    // for it: the next call does not queue behind a text nobody waits for (review: 268 ms, not 7).
    await Promise.all(loaded.contexts.slice(0, texts.length).map(worker));
    if (failed) throw firstError;
    return out;
  }

  return {
    embed,
    similarity: pairSimilarity(embed),
    async dispose() {
      if (!loading) return;
      const current = loading;
      loading = undefined;
      // The Llama instance stays: its dispose() disposes the native bindings, which any other
      // model loaded in this process (the local provider's) shares.
      const { contexts, model } = await current;
      for (const context of contexts) await context.dispose();
      await model.dispose();
    },
  };
}

/** `Embedder.similarity` over an embedder's `embed`: the cosine of the two texts' vectors. */
export function pairSimilarity(embed: Embedder['embed']): Embedder['similarity'] {
  return async (a, b) => {
    const [va, vb] = await embed([a, b]);
    if (!va || !vb) throw new StudioError('the embedder returned fewer vectors than texts');
    return cosine(va, vb);
  };
}

/** At least one context, at most 16 (past a few, the cores are the limit, not the contexts). */
function contextCount(asked: number | undefined): number {
  return Number.isFinite(asked) ? Math.min(16, Math.max(1, Math.floor(asked as number))) : 1;
}

export function normalise(v: Float32Array): Float32Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const norm = Math.sqrt(sq);
  if (!(norm > 0)) throw new StudioError('the embedding model returned a zero vector');
  return v.map((x) => x / norm);
}

/**
 * Cuts `items` into the fewest windows of at most `size`, all of near-equal length, so a text of
 * 260 tokens becomes 130 + 130 rather than 254 + 6 (a 6-token tail would weigh little but embed
 * as noise). Always at least one window, possibly empty.
 */
export function splitEvenly<T>(items: readonly T[], size: number): T[][] {
  const count = Math.max(1, Math.ceil(items.length / size));
  const out: T[][] = [];
  for (let i = 0; i < count; i++)
    out.push(items.slice(Math.round((i * items.length) / count), Math.round(((i + 1) * items.length) / count)));
  return out;
}

/**
 * all-MiniLM-L6-v2 for a job: nothing is installed, converted or loaded until the first
 * similarity is asked for, and a machine that cannot set it up (no python3, no PyPI) gets one
 * clear error per job rather than one per call; the caller treats similarity as optional.
 */
export function createLazyMiniLM(): Embedder {
  let ready: Promise<Embedder> | undefined;
  const get = () => {
    // One thread: this small model is memory-bound, and one thread stays fast when another job
    // holds the other core (measured: 65-84 texts/s against 2-6 with two threads under load).
    ready ??= ensureMiniLM().then((modelPath) => createEmbedder({ modelPath, threads: 1 }));
    return ready;
  };
  return {
    embed: async (texts, options) => (await get()).embed(texts, options),
    similarity: async (a, b) => (await get()).similarity(a, b),
    async dispose() {
      if (ready) await (await ready.catch(() => undefined))?.dispose();
    },
  };
}
