import { CancelledError, InputError } from '../errors/index.ts';
import { checkOptions, checkText, configFingerprint, resultKey } from './compress-input.ts';
import { cachedResult, runCompression } from './compress-run.ts';
import type { CompressOptions, Compressor, CompressResult } from './compress-types.ts';
import { type InferenceConfig, type LoadInferenceConfigOptions, loadInferenceConfig } from './config.ts';
import { LruCache } from './lru.ts';
import { ModelSet } from './models.ts';
import { createQueryStage } from './query-stage.ts';

/**
 * The compressor in production: classify the domain (unless given), run the domain's configured
 * stages (rules, the code path, a fine-tuned model, the pruner) one after the other, and return
 * the text with its o200k counts, the strategy, the model, the time of each stage and, when a
 * model's output was refused, the fallback and why. Results are cached by text and settings.
 * Here: the cache and the public surface. Planning is compress-plan.ts, the stages
 * compress-stages.ts, one run and its report compress-run.ts, input checks and cache keys
 * compress-input.ts.
 */

export type { CompressOptions, Compressor, CompressResult, StageTiming } from './compress-types.ts';

/** What an aborted call rejects with: it says the call was cancelled, and why when the caller said. */
function cancelled(signal: AbortSignal): CancelledError {
  const why = signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? `: ${signal.reason.message}` : '';
  return new CancelledError(`compression cancelled by the caller${why}`, { cause: signal.reason });
}

export function createCompressor(config: InferenceConfig): Compressor {
  const models = new ModelSet(config);
  const cache = new LruCache<CompressResult>(
    config.cache.entries,
    config.cache.maxBytes,
    (r) => 2 * r.text.length + 512,
  );
  const fingerprint = configFingerprint(config);
  const queryStage = createQueryStage(config);
  const deps = { config, models, queryStage };

  let active = 0;

  async function compress(text: string, options: CompressOptions = {}): Promise<CompressResult> {
    const t0 = performance.now();
    checkText(text, config.limits.maxTextChars);
    checkOptions(options);
    const { signal, ...settings } = options;
    if (signal?.aborted) throw cancelled(signal);
    let fresh = false;
    active++;
    try {
      const got = cache.getOrCompute(
        resultKey(config, fingerprint, text, settings),
        // The run watches the shared signal, not this caller's: it stops only when every caller
        // waiting on it gave up (lru.ts).
        (shared) => {
          fresh = true;
          return runCompression(text, settings, deps, shared);
        },
        // A timeout or an error may not happen next time: not cached. A missing model file is cached:
        // the key holds the model files' state, so a file that appears (or changes) misses the cache.
        // Nor is a ranking made without the memory's vectors while they were being embedded.
        (r) => r.fallback?.reason !== 'timeout' && r.fallback?.reason !== 'error' && !r.densePending,
        signal,
      );
      const r = got instanceof Promise ? await got : got;
      return fresh ? r : cachedResult(r, performance.now() - t0);
    } catch (error) {
      // Whatever the abort interrupted (the queue, a model, a stage), the caller gave up.
      if (signal?.aborted) throw cancelled(signal);
      throw error;
    } finally {
      active--;
    }
  }

  return {
    config,
    compress,
    async compressMany(texts, options = {}) {
      if (!Array.isArray(texts)) throw new InputError('must be an array of strings', { field: 'texts' });
      if (texts.length === 0) throw new InputError('is empty', { field: 'texts' });
      if (texts.length > config.limits.maxTexts)
        throw new InputError(`has ${texts.length} texts, over the limit of ${config.limits.maxTexts}`, {
          field: 'texts',
        });
      for (const [i, t] of texts.entries()) checkText(t, config.limits.maxTextChars, `texts.${i}`);
      // All at once: the model stages queue on the model's sequences and run as one batch. The
      // options' signal cancels every text not yet done.
      return Promise.all(texts.map((t) => compress(t, options)));
    },
    models: () => models.list(),
    async warm(name) {
      if (!config.models[name]) return undefined;
      await models.load(name);
      return models.list().find((m) => m.name === name);
    },
    cacheStats: () => ({ entries: cache.size, hits: cache.hits, misses: cache.misses }),
    inFlight: () => active,
    embeddings: () => queryStage.store(),
    async dispose() {
      await models.dispose();
      await queryStage.dispose();
    },
  };
}

let defaultCompressor: Compressor | undefined;

/** The process's compressor from configs/inference.yaml (created at the first call). */
export function getCompressor(options?: LoadInferenceConfigOptions): Compressor {
  if (options) return createCompressor(loadInferenceConfig(options));
  defaultCompressor ??= createCompressor(loadInferenceConfig());
  return defaultCompressor;
}

/** Compresses one text with the process's compressor (configs/inference.yaml). */
export function compress(text: string, options?: CompressOptions): Promise<CompressResult> {
  return getCompressor().compress(text, options);
}

/** Compresses many texts in one call; their model stages share one loaded model. */
export function compressMany(texts: readonly string[], options?: CompressOptions): Promise<CompressResult[]> {
  return getCompressor().compressMany(texts, options);
}
