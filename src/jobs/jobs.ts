import { existsSync } from 'node:fs';
import { loadProvidersConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import type { EventBus } from '../events.ts';
import { runRulesJob } from '../generation/rules-job.ts';
import type { StrategyName } from '../generation/strategies/index.ts';
import { type ImportFormat, importPaths } from '../io/import.ts';
import type { FieldMapping } from '../io/types.ts';
import type { Project } from '../project.ts';
import { parseModelRef } from '../providers/model-ref.ts';
import { setRunConfigFields } from '../store/runs.ts';
import { createJobRegistry, keyMissing, prepareValidation } from '../validation/deps.ts';
import { runValidation } from '../validation/run.ts';
import { generateThenValidate } from './generate-validate.ts';
import { createLauncher, type Launcher } from './launch.ts';
import { trainingJobs } from './training-jobs.ts';

export interface StartImport {
  paths: string[];
  tags?: string[];
  mapping?: FieldMapping;
  format?: ImportFormat;
}

export interface StartRules {
  domain?: Domain;
  tag?: string;
  sourceIds?: number[];
}

export interface StartGeneration {
  strategy: StrategyName;
  ratios: number[];
  /** prompted: provider/model (default: the configured generator); pruned: a GGUF path. */
  model?: string;
  threshold?: number;
  question?: string;
  protect?: string[];
  domain?: Domain;
  tag?: string;
  query?: string;
  sourceIds?: number[];
  budgetUsd?: number;
  batch?: boolean;
  /** Validate the candidates and keep the shortest passing one per source (validators as refs). */
  validate?: boolean;
  validators?: string[];
}

export interface StartTraining {
  /** classifier: the token classifier (native/classifier), no LoRA pre-flight. */
  runner: 'local' | 'tinker' | 'classifier';
  /** classifier: also learn from unlabelled candidates of these strategies. */
  strategies?: string[];
  /** classifier: label the prose and dialogue sources with pruned (this GGUF) first. */
  distil?: { prunerModelPath: string; ratios: number[] };
  overrides?: Record<string, unknown>;
  resumeRunId?: number;
  /** The pre-flight's warnings (a tiny or barely compressed set, hours on a CPU) were shown and accepted. */
  confirmed?: boolean;
}

export interface StartValidation {
  pairIds: number[];
  models?: string[];
  judge?: string;
  prober?: string;
  budgetUsd?: number;
  /** Through the providers' batch endpoints (cheaper, slower). */
  batch?: boolean;
}

export interface Jobs {
  /** Checks keys and models first: a job that cannot run is refused before it starts. */
  startValidation(args: StartValidation): Promise<{ runId: number }>;
  startImport(args: StartImport): Promise<{ runId: number }>;
  startRules(args: StartRules): Promise<{ runId: number }>;
  startTraining(args: StartTraining): Promise<{ runId: number }>;
  /** Checks the strategy's model and keys first, like validation. */
  startGeneration(args: StartGeneration): Promise<{ runId: number }>;
  /** Resolves when every job started here has finished (for tests and shutdown). */
  idle(): Promise<void>;
  cancelAll(): void;
}

/**
 * Background jobs in this process. A start call resolves with the run id as soon as the run row
 * exists; progress and the end arrive as events. Job errors are state (the run is marked failed
 * with its message), never an unhandled rejection.
 */
export function createJobs(project: Project, bus: EventBus): Jobs {
  const launcher = createLauncher(project, bus);
  const training = trainingJobs(project, launcher);
  return {
    startValidation: (args) => startValidation(project, launcher, args),
    startImport: (args) => startImport(project, launcher, args),
    startRules: (args) => startRules(project, launcher, args),
    startTraining: (args) => training.start(args),
    startGeneration: (args) => startGeneration(project, launcher, args),
    idle: () => launcher.idle(),
    cancelAll: () => launcher.cancelAll(),
  };
}

function startValidation(project: Project, { launch, progress }: Launcher, args: StartValidation) {
  const setup = prepareValidation(project, {
    ...(args.models?.length ? { models: args.models } : {}),
    ...(args.judge ? { judge: args.judge } : {}),
    ...(args.prober ? { prober: args.prober } : {}),
    ...(args.budgetUsd === undefined ? {} : { budgetUsd: args.budgetUsd }),
  });
  return launch('validation', async (signal, onRun) => {
    let runId = 0;
    const summary = await runValidation(project, {
      ...setup,
      pairIds: args.pairIds,
      ...(args.batch ? { batch: true } : {}),
      signal,
      onRun: (id) => {
        runId = id;
        // Remember what to resume with: the models as given, and the budget.
        setRunConfigFields(project.db, id, { budgetUsd: args.budgetUsd ?? null });
        onRun(id);
      },
      onProgress: (done, total, label) =>
        progress({ type: 'run-progress', runId, kind: 'validation', done, total, ...(label ? { label } : {}) }),
    }).finally(() => setup.embedder?.dispose());
    return { cancelled: summary.stoppedBy !== 'done' };
  });
}

function startImport(project: Project, { launch, progress }: Launcher, args: StartImport) {
  return launch('import', (signal, onRun) => {
    let runId = 0;
    return importPaths(project.db, args.paths, {
      config: project.config.import,
      ...(args.tags ? { tags: args.tags } : {}),
      ...(args.mapping ? { mapping: args.mapping } : {}),
      ...(args.format ? { format: args.format } : {}),
      signal,
      onRun: (id) => {
        runId = id;
        onRun(id);
      },
      onProgress: (p) =>
        progress({
          type: 'run-progress',
          runId,
          kind: 'import',
          done: p.bytesDone,
          total: p.bytesTotal,
          label: `${p.records} records`,
        }),
    });
  });
}

/** Checks the strategy's model and keys before the run exists, then generates (and validates when asked). */
function startGeneration(project: Project, { launch, progress }: Launcher, args: StartGeneration) {
  const registry = createJobRegistry(project, args.budgetUsd === undefined ? {} : { budgetUsd: args.budgetUsd });
  let generator: ModelRef | undefined;
  if (args.strategy === 'prompted') {
    generator = args.model ? parseModelRef(args.model) : loadProvidersConfig().models.generator;
    const missing = registry.missingKeys([generator]);
    if (missing.length) throw keyMissing(missing);
  }
  if (args.strategy === 'pruned' && args.model && !existsSync(args.model))
    throw new InputError(`no GGUF file at ${args.model}`);
  const validate = args.validate
    ? prepareValidation(project, { ...(args.validators?.length ? { models: args.validators } : {}), registry })
    : undefined;
  return launch('generation', async (signal, onRun) => {
    let runId = 0;
    const summary = await generateThenValidate(project, {
      strategy: args.strategy,
      ratios: args.ratios,
      ...(args.threshold !== undefined ? { threshold: args.threshold } : {}),
      ...(args.question ? { question: args.question } : {}),
      ...(args.protect?.length ? { protect: args.protect } : {}),
      ...(args.domain ? { domain: args.domain } : {}),
      ...(args.tag ? { tag: args.tag } : {}),
      ...(args.query ? { query: args.query } : {}),
      ...(args.sourceIds?.length ? { sourceIds: args.sourceIds } : {}),
      ...(generator ? { generator, registry } : {}),
      ...(args.strategy === 'pruned' && args.model ? { prunerModelPath: args.model } : {}),
      ...(args.batch ? { batch: true } : {}),
      ...(validate ? { validate } : {}),
      signal,
      onRun: (id) => {
        runId = id;
        setRunConfigFields(project.db, id, { budgetUsd: args.budgetUsd ?? null, modelArg: args.model ?? null });
        onRun(id);
      },
      onProgress: (done, total) => progress({ type: 'run-progress', runId, kind: 'generation', done, total }),
    });
    return { cancelled: summary.stoppedBy !== 'done' };
  });
}

function startRules(project: Project, { launch, progress }: Launcher, args: StartRules) {
  return launch('generation', (signal, onRun) => {
    let runId = 0;
    return runRulesJob(project, {
      ...args,
      signal,
      onRun: (id) => {
        runId = id;
        onRun(id);
      },
      onProgress: (done, total) => progress({ type: 'run-progress', runId, kind: 'generation', done, total }),
    });
  });
}
