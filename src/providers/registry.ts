import { join } from 'node:path';
import type { ModelRef, Pricing, ProviderSettings, ProvidersConfig } from '../contracts/providers.ts';
import { ConfigError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import { type Env, keyFrom, keyNames } from '../util/env.ts';
import { createAnthropicProvider } from './anthropic/index.ts';
import { createAnthropicBatchApi } from './batch/anthropic.ts';
import { createGeminiBatchApi } from './batch/gemini.ts';
import { createOpenAiBatchApi } from './batch/openai.ts';
import type { BatchRunOptions } from './batch/run.ts';
import type { BatchApi, BatchProviderId } from './batch/spec.ts';
import { createGeminiProvider } from './gemini/index.ts';
import { cacheMiddleware } from './middleware/cache.ts';
import { type Budget, costMiddleware } from './middleware/cost.ts';
import { rateLimitMiddleware } from './middleware/rate-limit.ts';
import { retryMiddleware } from './middleware/retry.ts';
import { createOpenAiProvider } from './openai/index.ts';
import { type Provider, type ProviderId, wrapProvider } from './spec.ts';

export type { Env };

export interface ProviderRegistry {
  /** The provider for a model reference, with cache, cost, retry and rate limits around it. */
  get(ref: ModelRef): Provider;
  /** Providers that are not local and have no key: a clear message before a job starts. */
  missingKeys(refs: readonly ModelRef[]): string[];
  /** What the batch runner needs to send calls through the providers' batch endpoints. */
  batching: Pick<BatchRunOptions, 'apiFor' | 'settingsFor' | 'pricing' | 'logFile' | 'budget'>;
}

export interface RegistryOptions {
  db: Db;
  projectDir: string;
  config: ProvidersConfig;
  pricing: Pricing;
  env?: Env;
  budget?: Budget;
  /** Local models (node-llama-cpp), when the job uses any. */
  local?: (model: string) => Provider;
}

/**
 * Builds each provider once per process with the middleware stack, outermost first:
 * cost (logs every call, keeps the budget) -> cache (a hit makes no call) -> rate limit ->
 * retry -> the SDK adapter. One rate limiter per provider, shared by all its models.
 */
export function createProviderRegistry(options: RegistryOptions): ProviderRegistry {
  const env = options.env ?? process.env;
  const built = new Map<ProviderId, Provider>();
  const logFile = join(options.projectDir, 'data', 'costs.log');
  const settingsOf = (id: Exclude<ProviderId, 'local'>): ProviderSettings => options.config[id];

  const base = (id: ProviderId, model: string): Provider => {
    switch (id) {
      case 'anthropic':
        return createAnthropicProvider(options.config.anthropic, env);
      case 'openai':
        return createOpenAiProvider(options.config.openai, env);
      case 'gemini':
        return createGeminiProvider(options.config.gemini, env);
      case 'local':
        if (!options.local)
          throw new ConfigError('local models need a GGUF file: configure models.local or pass --model path/to.gguf');
        return options.local(model);
    }
  };

  const batchApis = new Map<BatchProviderId, BatchApi>();
  const apiFor = (id: BatchProviderId): BatchApi => {
    let api = batchApis.get(id);
    if (!api) {
      api =
        id === 'anthropic'
          ? createAnthropicBatchApi(options.config.anthropic, env)
          : id === 'openai'
            ? createOpenAiBatchApi(options.config.openai, env)
            : createGeminiBatchApi(options.config.gemini, env);
      batchApis.set(id, api);
    }
    return api;
  };

  return {
    batching: {
      apiFor,
      settingsFor: settingsOf,
      pricing: options.pricing,
      logFile,
      ...(options.budget ? { budget: options.budget } : {}),
    },
    get(ref) {
      const key = (ref.provider === 'local' ? `local:${ref.model}` : ref.provider) as ProviderId;
      let p = built.get(key);
      if (!p) {
        const inner = base(ref.provider, ref.model);
        const stack = [
          costMiddleware({
            db: options.db,
            pricing: options.pricing,
            logFile,
            ...(options.budget ? { budget: options.budget } : {}),
          }),
          cacheMiddleware(options.db),
          // A local model has no rate limit and no transient network errors to retry.
          ...(ref.provider === 'local'
            ? []
            : [rateLimitMiddleware(settingsOf(ref.provider).limits), retryMiddleware(settingsOf(ref.provider).retry)]),
        ];
        p = wrapProvider(inner, stack);
        built.set(key, p);
      }
      return p;
    },
    missingKeys(refs) {
      const missing = new Set<string>();
      for (const r of refs) {
        if (r.provider === 'local') continue;
        const keyEnv = settingsOf(r.provider).apiKeyEnv;
        if (!keyFrom(env, keyEnv)) missing.add(`${r.provider} needs ${keyNames(keyEnv)}`);
      }
      return [...missing];
    },
  };
}
