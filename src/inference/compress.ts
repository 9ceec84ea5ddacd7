import { statSync } from 'node:fs';
import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import { classifyDomain } from '../generation/domain.ts';
import { compressWithRules } from '../generation/rules/index.ts';
import { compressCodePath } from '../generation/strategies/code-path.ts';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { hashJson } from '../util/hash.ts';
import type { Fallback } from './checks.ts';
import { type InferenceConfig, type LoadInferenceConfigOptions, loadInferenceConfig } from './config.ts';
import { LruCache } from './lru.ts';
import { runModelStage } from './model-stage.ts';
import { type ModelInfo, ModelSet } from './models.ts';
import type { EmbeddingStore } from './query/embedding-store.ts';
import { createQueryStage } from './query-stage.ts';

/**
 * The compressor in production: classify the domain (unless given), run the domain's configured
 * stages (rules, the code path, a fine-tuned model, the pruner) one after the other, and return
 * the text with its o200k counts, the strategy, the model, the time of each stage and, when a
 * model's output was refused, the fallback and why. Results are cached by text and settings.
 */

export interface CompressOptions {
  domain?: Domain;
  /** Programming language of code (else the classifier's guess). */
  language?: string | null;
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
  /** The query stage's embedding store (null until a query needed it, or without the MiniLM file). */
  embeddings(): EmbeddingStore | null;
  dispose(): Promise<void>;
}

/** Bumped when a change to this file changes what a cached result would hold. */
const RESULT_VERSION = 1;

const isModelStage = (stage: string) => stage !== 'rules' && stage !== 'code-path';

export function createCompressor(config: InferenceConfig): Compressor {
  const models = new ModelSet(config);
  const cache = new LruCache<CompressResult>(
    config.cache.entries,
    config.cache.maxBytes,
    (r) => 2 * r.text.length + 512,
  );
  const fingerprint = hashJson({
    v: RESULT_VERSION,
    models: config.models,
    fallback: config.fallback,
    query: config.query,
  });
  const queryStage = createQueryStage(config);

  /** Each model file's size and time, or that it is missing: part of every cache key (a few stats). */
  function modelFiles(): string[] {
    return Object.values(config.models).map((m) => {
      try {
        const st = statSync(m.path);
        return `${m.path}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${m.path}:missing`;
      }
    });
  }

  function pipelineFor(domain: Domain, model: string | undefined): string[] {
    const stages = config.pipelines[domain];
    if (model === undefined) return [...stages];
    if (model === 'none') return stages.filter((s) => !isModelStage(s));
    if (!config.models[model])
      throw new InputError(
        `unknown model "${model}": configured are ${Object.keys(config.models).join(', ') || 'none'} (or "none")`,
        { field: 'model' },
      );
    // The first model stage becomes the model asked for; the other model stages (alternatives) go.
    const replaced = stages
      .map((s) => (isModelStage(s) ? model : s))
      .filter((s, i, all) => s !== model || all.indexOf(s) === i);
    return replaced.includes(model) ? replaced : [...replaced, model];
  }

  function checkText(text: unknown, field = 'text'): asserts text is string {
    if (typeof text !== 'string') throw new InputError('must be a string', { field });
    if (!text.trim()) throw new InputError('is empty', { field });
    if (text.length > config.limits.maxTextChars)
      throw new InputError(`is ${text.length} characters, over the limit of ${config.limits.maxTextChars}`, {
        field,
      });
  }

  async function run(text: string, options: CompressOptions): Promise<CompressResult> {
    const t0 = performance.now();
    const count = await o200kCounter();
    // The classifier runs unless the caller said both what the text is and (for code) its language.
    const needsLanguage = options.language === undefined && (options.domain === 'code' || options.domain === 'mixed');
    const classified = !options.domain || needsLanguage ? classifyDomain(text) : undefined;
    const domain = options.domain ?? classified?.domain ?? 'nl';
    const language = options.language !== undefined ? options.language : (classified?.language ?? null);
    const query = options.query?.trim() || undefined;
    // With a query, prose and dialogue are selected from (verbatim); code keeps its own path.
    const selecting = query !== undefined && domain !== 'code';
    const pipeline = selecting ? ['select'] : pipelineFor(domain, options.model);
    const defaultRatio = selecting ? config.query.ratio : config.ratio;
    const protect = options.protect ?? [];
    const tokensBefore = count(text);
    const ratio =
      options.maxTokens !== undefined
        ? Math.min(1, options.maxTokens / Math.max(1, tokensBefore))
        : (options.ratio ?? defaultRatio);
    const result: CompressResult = {
      text,
      domain,
      language,
      tokensBefore,
      tokensAfter: tokensBefore,
      strategy: '',
      pipeline,
      model: null,
      timings: [],
      totalMs: 0,
      fallback: null,
      cached: false,
      notes: [],
    };
    const used: string[] = [];
    let current = text;
    let currentTokens = tokensBefore;

    for (const stage of pipeline) {
      const s0 = performance.now();
      if (stage === 'select' && query !== undefined) {
        const budget = options.maxTokens ?? Math.max(1, Math.floor(ratio * tokensBefore));
        const r = await queryStage.run(current, query, budget, count);
        current = r.text;
        currentTokens = count(current);
        result.timings.push({ stage, ms: performance.now() - s0, tokensIn: tokensBefore, tokensOut: currentTokens });
        used.push(stage);
        result.notes.push(...r.notes);
        continue;
      }
      const timing: StageTiming = { stage, ms: 0, tokensIn: currentTokens, tokensOut: currentTokens };
      result.timings.push(timing);
      const done = (out: string) => {
        timing.ms = performance.now() - s0;
        timing.tokensOut = count(out);
        return out;
      };
      if (stage === 'rules') {
        const r = await compressWithRules(current, { domain, language });
        current = done(r.text);
        currentTokens = timing.tokensOut;
        used.push(stage);
        result.notes.push(...r.notes);
        continue;
      }
      if (stage === 'code-path') {
        if (domain !== 'code' || !language) {
          done(current);
          result.notes.push('code-path: skipped (not code of a known language)');
          continue;
        }
        // No ratio for code: the path removes only what is provably unused (comments, docstrings,
        // blank lines, unused private blocks), so a ratio would promise what it cannot keep.
        const r = await compressCodePath(current, {
          language,
          originalTokens: tokensBefore,
          protect: protect.filter((p): p is string => typeof p === 'string'),
        });
        current = done(r.text);
        currentTokens = timing.tokensOut;
        used.push(stage);
        result.notes.push(...r.notes);
        if (options.ratio !== undefined || options.maxTokens !== undefined)
          result.notes.push(
            `code-path: the ratio is not applied to code (asked ${(ratio * 100).toFixed(0)} %); kept ${((currentTokens / Math.max(1, tokensBefore)) * 100).toFixed(0)} % of the original's tokens, removing only comments, docstrings, blank lines and unused blocks`,
          );
        continue;
      }
      // A model stage: its output is checked; a refused output stops the pipeline at what came before.
      if (!config.models[stage]) continue;
      // Model stages are alternatives in order of preference (the classifier before the pruner):
      // once one has compressed the text, the later ones do not compress it again.
      if (result.model !== null) {
        done(current);
        result.notes.push(`${stage}: skipped (${used.at(-1)} already compressed this text)`);
        continue;
      }
      const outcome = await runModelStage({
        stage,
        config,
        models,
        count,
        text: current,
        tokens: currentTokens,
        domain,
        ratio,
        protect,
        ...(options.question ? { question: options.question } : {}),
        timing,
      });
      timing.ms = performance.now() - s0;
      if (outcome.kind === 'skipped') {
        result.notes.push(outcome.note);
        continue;
      }
      if (outcome.kind === 'refused') {
        timing.refused = true;
        result.fallback = outcome.fallback;
        // A model that is not there is no verdict on the text: the next model stage may run.
        if (outcome.fallback.reason === 'no-model') {
          result.notes.push(`${stage}: ${outcome.fallback.detail}; trying the next stage`);
          continue;
        }
        break;
      }
      current = outcome.text;
      currentTokens = timing.tokensOut;
      used.push(stage);
      result.model = outcome.model;
      result.fallback = null;
      result.notes.push(
        `${stage}: ran (${outcome.model})${result.notes.some((n) => n.endsWith('trying the next stage')) ? ', the first model stage with a model file' : ''}`,
      );
    }
    result.text = current;
    result.tokensAfter = currentTokens;
    result.strategy = used.join('+') || 'none';
    result.totalMs = performance.now() - t0;
    return result;
  }

  async function compress(text: string, options: CompressOptions = {}): Promise<CompressResult> {
    const t0 = performance.now();
    checkText(text);
    if (options.ratio !== undefined && !(options.ratio > 0 && options.ratio <= 1))
      throw new InputError(`must be in (0, 1], got ${options.ratio}`, { field: 'ratio' });
    if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0))
      throw new InputError(`must be a positive whole number of tokens, got ${options.maxTokens}`, {
        field: 'maxTokens',
      });
    if (options.query !== undefined && typeof options.query !== 'string')
      throw new InputError('must be a string', { field: 'query' });
    const key = hashJson({
      f: fingerprint,
      files: modelFiles(),
      text,
      domain: options.domain ?? null,
      language: options.language ?? null,
      ratio: options.ratio ?? null,
      model: options.model ?? null,
      protect: (options.protect ?? []).map(String),
      question: options.question ?? null,
      query: options.query?.trim() || null,
      maxTokens: options.maxTokens ?? null,
    });
    let fresh = false;
    const got = cache.getOrCompute(
      key,
      () => {
        fresh = true;
        return run(text, options);
      },
      // A timeout or an error may not happen next time: not cached. A missing model file is cached:
      // the key holds the model files' state, so a file that appears (or changes) misses the cache.
      (r) => r.fallback?.reason !== 'timeout' && r.fallback?.reason !== 'error',
    );
    const r = got instanceof Promise ? await got : got;
    if (fresh) return r;
    const ms = performance.now() - t0;
    return {
      ...r,
      cached: true,
      timings: [{ stage: 'cache', ms, tokensIn: r.tokensBefore, tokensOut: r.tokensAfter }],
      totalMs: ms,
    };
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
      for (const [i, t] of texts.entries()) checkText(t, `texts.${i}`);
      // All at once: the model stages queue on the model's sequences and run as one batch.
      return Promise.all(texts.map((t) => compress(t, options)));
    },
    models: () => models.list(),
    async warm(name) {
      if (!config.models[name]) return undefined;
      await models.load(name);
      return models.list().find((m) => m.name === name);
    },
    cacheStats: () => ({ entries: cache.size, hits: cache.hits, misses: cache.misses }),
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
