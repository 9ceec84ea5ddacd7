import { loadPricing, loadProvidersConfig, loadValidationConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import type { ValidationConfig } from '../contracts/validation.ts';
import { createLazyMiniLM, type Embedder } from '../embeddings/minilm.ts';
import { InputError, KeyMissingError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { createLocalProvider } from '../providers/local/index.ts';
import { createBudget } from '../providers/middleware/cost.ts';
import { parseModelRef } from '../providers/model-ref.ts';
import { createProviderRegistry, type Env, type ProviderRegistry } from '../providers/registry.ts';

export interface ValidationSetup {
  /** all-MiniLM-L6-v2, set up at its first use, when configs/validation.yaml enables it. */
  embedder?: Embedder;
  validators: ModelRef[];
  judge: ModelRef;
  prober: ModelRef;
  registry: ProviderRegistry;
  config: ValidationConfig;
}

/**
 * The provider registry a job calls through: configs/providers.yaml and pricing.yaml, the keys
 * from the environment, local GGUF models loaded on demand, and the job's budget if it has one.
 */
export function createJobRegistry(project: Project, options: { budgetUsd?: number; env?: Env } = {}): ProviderRegistry {
  const providers = loadProvidersConfig();
  // How often to ask a provider about a submitted batch; the environment can shorten it (tests,
  // or a gateway that answers batches at once).
  const pollMs = Number((options.env ?? process.env).STUDIO_BATCH_POLL_MS);
  if (pollMs > 0)
    for (const p of ['anthropic', 'openai', 'gemini'] as const) providers[p].batch.pollIntervalMs = pollMs;
  return createProviderRegistry({
    db: project.db,
    projectDir: project.dir,
    config: providers,
    pricing: loadPricing(),
    ...(options.env ? { env: options.env } : {}),
    ...(options.budgetUsd === undefined ? {} : { budget: createBudget(options.budgetUsd) }),
    local: (modelPath) => createLocalProvider({ modelPath }),
  });
}

/** The registry's "openai needs OPENAI_API_KEY" lines as a KeyMissingError (a 4xx at the edges). */
export function keyMissing(missing: readonly string[]): KeyMissingError {
  return new KeyMissingError(
    missing.map((m) => {
      const [provider = m, env = m] = m.split(' needs ');
      return { provider, env };
    }),
  );
}

/**
 * Models (the config's roles unless named), a provider registry with the middleware stack and an
 * optional budget, checked before anything is spent: keys present, local model files there.
 */
export function prepareValidation(
  project: Project,
  options: {
    models?: readonly string[];
    judge?: string;
    prober?: string;
    budgetUsd?: number;
    env?: Env;
    /** A registry to share (generate-then-validate keeps one budget for both). */
    registry?: ProviderRegistry;
  } = {},
): ValidationSetup {
  const providers = loadProvidersConfig();
  const validators = options.models?.length
    ? options.models.map((m) => parseModelRef(m.trim()))
    : providers.models.validators;
  const judge = options.judge ? parseModelRef(options.judge) : providers.models.judge;
  const prober = options.prober ? parseModelRef(options.prober) : providers.models.prober;
  if (options.budgetUsd !== undefined && !(options.budgetUsd > 0))
    throw new InputError(`the budget must be a positive number of dollars, got ${options.budgetUsd}`);
  const registry = options.registry ?? createJobRegistry(project, options);
  const missing = registry.missingKeys([...validators, judge, prober]);
  if (missing.length) throw keyMissing(missing);
  const config = loadValidationConfig();
  return {
    validators,
    judge,
    prober,
    registry,
    config,
    ...(config.similarity.enabled ? { embedder: createLazyMiniLM() } : {}),
  };
}
