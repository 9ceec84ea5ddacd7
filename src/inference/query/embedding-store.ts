import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Embedder, EmbedOptions } from '../../embeddings/minilm.ts';
import { createSentenceEmbedder, embedderKey } from '../../embeddings/sentence-embedder.ts';
import type { Db } from '../../store/db.ts';
import { openDb, projectDbPath } from '../../store/db.ts';
import { getEmbeddings, putEmbeddings } from '../../store/embedding-cache.ts';
import { unlessAborted } from '../../util/abort.ts';
import { sha256 } from '../../util/hash.ts';

/**
 * Dense relevance for query-aware selection: all-MiniLM-L6-v2 (the ONNX export in onnxruntime, or
 * the GGUF in node-llama-cpp; up to 4 cores either way: embeddings/sentence-embedder.ts) with every vector cached by the sha256 of its text, in process (an LRU of vectors)
 * and in SQLite (the `embeddings` table, migration 9), so a memory sent again embeds only its new
 * turns.
 *
 * Which SQLite file: `query.embeddingCache` in configs/inference.yaml (or STUDIO_EMBEDDING_CACHE)
 * when set to a path; "off" keeps vectors in process only; "auto" (the default) uses the project's
 * database when the library runs in a project (`$STUDIO_PROJECT` or the working directory holds
 * data/studio.db), else a cache database of its own under the user's cache folder
 * (`$XDG_CACHE_HOME` or ~/.cache)/compression-studio/embeddings.db.
 */

export function resolveEmbeddingCache(setting: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.STUDIO_EMBEDDING_CACHE || setting;
  if (chosen === 'off') return null;
  if (chosen !== 'auto') return resolve(chosen);
  const project = projectDbPath(env.STUDIO_PROJECT ?? process.cwd());
  if (existsSync(project)) return project;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'compression-studio', 'embeddings.db');
}

export interface EmbeddingStoreStats {
  /** Texts embedded by the model (cache misses) since the store was made. */
  embedded: number;
  /** Texts served from the process LRU or the SQLite cache. */
  memoryHits: number;
  dbHits: number;
}

export interface EmbeddingStore {
  /**
   * One unit vector per text; only texts never seen before reach the model. They are embedded
   * and stored in batches of EMBED_BATCH, and `signal` is checked between texts: a cancelled
   * call (a memory's first pass takes ~20 s) rejects with the signal's reason, and what it
   * embedded so far stays cached for the next call.
   */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  readonly stats: EmbeddingStoreStats;
  /** Where vectors are kept (null: in process only). */
  readonly dbPath: string | null;
  readonly model: string;
  dispose(): Promise<void>;
}

export interface EmbeddingStoreOptions {
  modelPath: string;
  /** SQLite file, or null for in-process only. */
  dbPath: string | null;
  /** Vectors kept in process (LRU). */
  memoryEntries?: number;
  /**
   * Injected for tests of the cache itself; default: `createSentenceEmbedder` on `modelPath` with
   * EMBED_CONTEXTS cores.
   */
  embedder?: Embedder;
}

/**
 * Cores a memory's first pass embeds on: one per core, up to 4 (GGUF: contexts of one thread side
 * by side; ONNX: one session's threads). On 2 cores a 20k-token memory's first pass (~2,200 texts)
 * took 37 s on one GGUF context and 21.5 s on two, in back-to-back runs; the memory bench's latency
 * paragraph measures the ratios.
 */
export const EMBED_CONTEXTS = Math.min(4, Math.max(1, availableParallelism()));

/** Texts embedded and written to SQLite together: a cancelled first pass loses at most one batch. */
export const EMBED_BATCH = 32;

export function createEmbeddingStore(options: EmbeddingStoreOptions): EmbeddingStore {
  const modelKey = embedderKey(options.modelPath);
  const embedder = options.embedder ?? createSentenceEmbedder({ modelPath: options.modelPath, cores: EMBED_CONTEXTS });
  const limit = options.memoryEntries ?? 50_000;
  const memory = new Map<string, Float32Array>();
  const stats: EmbeddingStoreStats = { embedded: 0, memoryHits: 0, dbHits: 0 };
  // Stops every call at dispose, those no caller watches too (a memory's first pass going on
  // after its call stopped waiting: relevance.ts warmMemory).
  const closing = new AbortController();
  // The model's calls in flight: the model is freed only once they have stopped (at their next text).
  const inFlight = new Set<Promise<unknown>>();
  // Texts some call is embedding, by hash: another call wanting them waits for those vectors instead
  // of embedding them again (two calls on one memory's first pass, one of them a pass running apart
  // from its call). Undefined when that call stopped first: the waiter embeds it then.
  const pending = new Map<string, Promise<Float32Array | undefined>>();
  let db: Db | null | undefined;
  const database = (): Db | null => {
    if (db !== undefined) return db;
    db = options.dbPath ? openDb(options.dbPath, { create: true }) : null;
    return db;
  };
  const remember = (hash: string, v: Float32Array) => {
    memory.delete(hash);
    memory.set(hash, v);
    if (memory.size > limit) memory.delete(memory.keys().next().value as string);
  };

  async function embed(texts: readonly string[], callOptions: EmbedOptions = {}): Promise<Float32Array[]> {
    const signal = callOptions.signal ? AbortSignal.any([callOptions.signal, closing.signal]) : closing.signal;
    const options = { ...callOptions, signal };
    options.signal.throwIfAborted();
    const hashes = texts.map((t) => sha256(t));
    const out: (Float32Array | undefined)[] = hashes.map((h) => {
      const v = memory.get(h);
      if (v) {
        stats.memoryHits++;
        remember(h, v);
      }
      return v;
    });
    const missing = [...new Set(hashes.filter((_, i) => !out[i]))];
    if (missing.length) {
      const d = database();
      const stored = d ? getEmbeddings(d, modelKey, missing) : new Map<string, Float32Array>();
      const found = new Map(stored);
      for (const [h, v] of stored) remember(h, v);
      const missingHere = missing.filter((h) => !stored.has(h));
      stats.dbHits += missing.length - missingHere.length;
      const theirs = missingHere.flatMap((h) => {
        const p = pending.get(h);
        return p ? [{ h, p }] : [];
      });
      const toEmbed = missingHere.filter((h) => !pending.has(h));
      const settle = new Map<string, (v: Float32Array | undefined) => void>();
      for (const h of toEmbed) pending.set(h, new Promise((resolve) => settle.set(h, resolve)));
      const byHash = new Map(hashes.map((h, i) => [h, texts[i] as string]));
      try {
        for (let start = 0; start < toEmbed.length; start += EMBED_BATCH) {
          options.signal.throwIfAborted();
          const batch = toEmbed.slice(start, start + EMBED_BATCH);
          const call = embedder.embed(
            batch.map((h) => byHash.get(h) as string),
            options,
          );
          inFlight.add(call);
          const vectors = await call.finally(() => inFlight.delete(call));
          // Closed meanwhile: its database is going; a caller's abort still keeps the batch.
          closing.signal.throwIfAborted();
          stats.embedded += batch.length;
          const rows = batch.map((hash, i) => ({ hash, vector: vectors[i] as Float32Array }));
          if (d) putEmbeddings(d, modelKey, rows);
          for (const r of rows) {
            remember(r.hash, r.vector);
            found.set(r.hash, r.vector);
            pending.delete(r.hash);
            settle.get(r.hash)?.(r.vector);
            settle.delete(r.hash);
          }
        }
      } finally {
        // Stopped before some of its texts (an abort, an error): their waiters embed them.
        for (const [h, resolve] of settle) {
          pending.delete(h);
          resolve(undefined);
        }
      }
      const left: string[] = [];
      for (const { h, p } of theirs) {
        const v = await unlessAborted(p, options.signal);
        if (v) found.set(h, v);
        else left.push(h);
      }
      if (left.length) {
        const vectors = await embed(
          left.map((h) => byHash.get(h) as string),
          callOptions,
        );
        left.forEach((h, i) => {
          found.set(h, vectors[i] as Float32Array);
        });
      }
      hashes.forEach((h, i) => {
        out[i] ??= found.get(h);
      });
    }
    return out as Float32Array[];
  }

  return {
    stats,
    dbPath: options.dbPath,
    model: modelKey,
    embed,
    async dispose() {
      closing.abort(new Error('the embedding store was closed'));
      await Promise.allSettled([...inFlight]);
      await embedder.dispose();
      db?.close();
      db = undefined;
    },
  };
}
