import type { Domain } from '../contracts/source.ts';
import type { Fallback } from './checks.ts';
import type { InferenceConfig } from './config.ts';
import type { ModelInfo } from './models.ts';
import type { EmbeddingStore } from './query/embedding-store.ts';

/** The compressor's public shapes: what a call may ask for and what it reports. */

/** The longest query (or pruner question) a caller may send, in characters: a question, not a document. */
export const QUERY_MAX_CHARS = 4000;

export interface CompressOptions {
  domain?: Domain;
  /** Programming language of code (else the classifier's guess). */
  language?: string | null;
  /**
   * The file the text was read from: its extension says what the text is (a `.py` file is Python
   * code, a `.sh` file a shell script) where the text alone may read as prose, as `studio import`
   * reads it. A prose extension (`.md`, `.txt`) leaves it to the classifier.
   */
  path?: string;
  /** Kept fraction of o200k tokens, for the pruner and the code path (the fine-tuned model has its own). */
  ratio?: number;
  /** A model named in the config: replaces the pipeline's model stage; "none": rules and code path only. */
  model?: string;
  /** Strings (and, in-process, regular expressions) that must survive verbatim. */
  protect?: readonly (string | RegExp)[];
  /** The pruner keeps what bears on this question. */
  question?: string;
  /**
   * Query-aware selection (prose and dialogue): keep, verbatim and in order, the turns or
   * sentences this query needs, with their session headers, until the budget is full.
   */
  query?: string;
  /** Budget in o200k tokens (instead of `ratio`). */
  maxTokens?: number;
  /**
   * With a query: wait at most this long (from the start of the run) for a memory's first
   * embedding pass (~20 s for 20k tokens on 2 cores). Past it, this call ranks by BM25 and the
   * cues, says so in its notes and is not cached, and the pass goes on apart from the call, so a
   * later call ranks with the vectors. The proxy sets it below its timeout. Unset: the call waits.
   */
  denseWithinMs?: number;
  /**
   * Cancels the call: it rejects at once with a CancelledError, a call still queued for a model
   * never runs, a running one stops at the model's next window or token, and nothing is cached.
   * Identical calls in flight share one run, which stops only when every caller waiting on it gave up.
   */
  signal?: AbortSignal;
}

export interface StageTiming {
  stage: string;
  ms: number;
  /** o200k tokens in and out of the stage. */
  tokensIn: number;
  tokensOut: number;
  /** Model stages: tokens the model generated (the pruner: scored) and their rate. */
  modelTokens?: number;
  tokensPerSecond?: number;
  /** The generator: model tokens of its prompt (system + text), evaluated before it generates. */
  modelInputTokens?: number;
  /** The stage's output was not used. */
  refused?: boolean;
  /** The stage did not run on the text (the pruner on code, a model after another one compressed it). */
  skipped?: boolean;
}

export interface CompressResult {
  text: string;
  domain: Domain;
  language: string | null;
  tokensBefore: number;
  tokensAfter: number;
  /** The stages whose output is in `text`, joined with "+". */
  strategy: string;
  /** The stages configured for this call. */
  pipeline: string[];
  /** The model file whose output is in `text`, if any. */
  model: string | null;
  timings: StageTiming[];
  totalMs: number;
  fallback: Fallback | null;
  cached: boolean;
  notes: string[];
  /**
   * Set when the select stage ranked without dense relevance because the memory's first embedding
   * pass was still running (`denseWithinMs`): such a result is not cached, as the next call ranks
   * with the vectors.
   */
  densePending?: boolean;
  /**
   * Set when a query was given and the text already fit its budget: the select stage kept it as it
   * is, so nothing was chosen for the query (the proxy's reason header says so).
   */
  keptWhole?: boolean;
}

export interface Compressor {
  readonly config: InferenceConfig;
  compress(text: string, options?: CompressOptions): Promise<CompressResult>;
  /** Many texts in one call: their model stages share the model's parallel sequences. */
  compressMany(texts: readonly string[], options?: CompressOptions): Promise<CompressResult[]>;
  models(): ModelInfo[];
  /** Loads a model now instead of at its first use. */
  warm(name: string): Promise<ModelInfo | undefined>;
  cacheStats(): { entries: number; hits: number; misses: number };
  /** Compressions running or queued now (each text of a batch counts). */
  inFlight(): number;
  /** The query stage's embedding store (null until a query needed it, or without the MiniLM file). */
  embeddings(): EmbeddingStore | null;
  dispose(): Promise<void>;
}
