import { existsSync } from 'node:fs';
import { loadProvidersConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import type { Domain } from '../contracts/source.ts';
import { ConflictError, InputError, KeyMissingError } from '../errors/index.ts';
import { type EventBus, throttleProgress } from '../events.ts';
import { runRulesJob } from '../generation/rules-job.ts';
import type { StrategyName } from '../generation/strategies/index.ts';
import { type ImportFormat, importPaths } from '../io/import.ts';
import type { FieldMapping } from '../io/types.ts';
import type { Project } from '../project.ts';
import { parseModelRef } from '../providers/model-ref.ts';
import { finishRun, getRun, isCancelRequested, listRuns, setFailureKind, setRunConfigFields } from '../store/runs.ts';
import { runClassifierTraining } from '../training/classifier-job.ts';
import { trainingPreflight } from '../training/preflight.ts';
import { loadTrainingConfig, runTraining } from '../training/train-job.ts';
import { createJobRegistry, keyMissing, prepareValidation } from '../validation/deps.ts';
import { runValidation } from '../validation/run.ts';
import { generateThenValidate } from './generate-validate.ts';

/** How often a job looks for a cancel asked by another process (or the app's Cancel button). */
const CANCEL_POLL_MS = 250;

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
  const running = new Set<Promise<unknown>>();
  const controllers = new Set<AbortController>();
  const progress = throttleProgress(bus);

  function launch(
    kind: string,
    body: (signal: AbortSignal, onRun: (id: number) => void) => Promise<{ cancelled: boolean }>,
  ) {
    const controller = new AbortController();
    controllers.add(controller);
    let runId: number | undefined;
    let cancelPoll: ReturnType<typeof setInterval> | undefined;
    return new Promise<{ runId: number }>((resolve, reject) => {
      const work = body(controller.signal, (id) => {
        runId = id;
        // The row exists now: say so at once, so the Runs page lists the job before its first item.
        bus.emit({ type: 'store-changed', reason: 'run-started' });
        progress({ type: 'run-progress', runId: id, kind, done: 0, total: 0, label: 'starting' });
        // A cancel asked from any process aborts the job's signal, which aborts the model call in
        // flight: the job stops within a call, not after its current item.
        cancelPoll = setInterval(() => {
          if (!controller.signal.aborted && isCancelRequested(project.db, id)) controller.abort();
        }, CANCEL_POLL_MS);
        cancelPoll.unref?.();
        resolve({ runId: id });
      })
        .then((result) => {
          if (runId === undefined) {
            reject(new Error(`the ${kind} job ended before creating its run`));
            return;
          }
          bus.emit({ type: 'run-finished', runId, kind, status: result.cancelled ? 'cancelled' : 'succeeded' });
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (runId === undefined) {
            reject(error);
            return;
          }
          if (getRun(project.db, runId)?.status === 'running') finishRun(project.db, runId, 'failed', {}, message);
          // Why it failed decides whether resuming can help (a key still missing cannot).
          if (error instanceof KeyMissingError)
            setFailureKind(project.db, runId, 'missing-key', { env: error.keys.map((k) => k.env) });
          bus.emit({ type: 'run-finished', runId, kind, status: 'failed', error: message });
        })
        .finally(() => {
          clearInterval(cancelPoll);
          controllers.delete(controller);
          running.delete(work);
          bus.emit({ type: 'store-changed', reason: kind });
        });
      running.add(work);
    });
  }

  /**
   * A training run's id and its events as Runs-page progress: the trainers (MLX, Tinker, the token
   * classifier) share the event shape; `unit` names their step, `speed` adds tokens/s to the label.
   */
  function trainingProgress(onRun: (id: number) => void, unit: 'iter' | 'step', speed: boolean) {
    let runId = 0;
    let total = 0;
    return {
      onRun: (id: number) => {
        runId = id;
        onRun(id);
      },
      onEvent: (e: { type: string; totalIters?: number; iter?: number; loss?: number; tokensPerSec?: number }) => {
        if (e.type === 'start' && e.totalIters !== undefined) total = e.totalIters;
        if (e.type === 'train' && e.iter !== undefined && e.loss !== undefined)
          progress({
            type: 'run-progress',
            runId,
            kind: 'training',
            done: e.iter,
            total,
            label: `${unit} ${e.iter}/${total} · loss ${e.loss.toFixed(3)}${speed && e.tokensPerSec ? ` · ${e.tokensPerSec.toFixed(0)} tok/s` : ''}`,
          });
      },
    };
  }

  function launchTraining(args: Omit<StartTraining, 'runner'> & { runner: 'local' | 'tinker' }) {
    return launch('training', async (signal, onRun) => {
      const summary = await runTraining(project, {
        runner: args.runner,
        ...(args.overrides ? { overrides: args.overrides } : {}),
        ...(args.resumeRunId !== undefined ? { resumeRunId: args.resumeRunId } : {}),
        signal,
        ...trainingProgress(onRun, 'iter', true),
      });
      return { cancelled: summary.cancelled };
    });
  }

  function launchClassifier(args: StartTraining) {
    return launch('training', async (signal, onRun) => {
      const summary = await runClassifierTraining(project, {
        ...(args.overrides ? { overrides: args.overrides } : {}),
        ...(args.strategies?.length ? { strategies: args.strategies } : {}),
        ...(args.distil ? { distil: args.distil } : {}),
        ...(args.resumeRunId !== undefined ? { resumeRunId: args.resumeRunId } : {}),
        signal,
        ...trainingProgress(onRun, 'step', false),
      });
      return { cancelled: summary.cancelled };
    });
  }

  let trainingStarting = false;

  return {
    startValidation(args) {
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
    },
    startImport(args) {
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
    },
    async startTraining(args) {
      if (args.runner === 'classifier') {
        const running = listRuns(project.db, { kind: 'training', limit: 20 }).find((r) => r.status === 'running');
        if (running) throw new ConflictError(`training run ${running.id} is running: one at a time`);
        return launchClassifier(args);
      }
      // Config errors surface here, before the run exists.
      loadTrainingConfig({ [args.runner]: args.overrides ?? {} });
      // One training run at a time (they share the machine, or the Tinker account); a second start,
      // even one racing this one through its pre-flight, is refused before it creates a run.
      if (trainingStarting) throw new ConflictError('a training run is being started now: wait for it');
      trainingStarting = true;
      try {
        const check = await trainingPreflight(project, {
          runner: args.runner,
          ...(args.overrides ? { overrides: args.overrides } : {}),
        });
        const active = check.checks.find((c) => c.id === 'active-run');
        if (active) throw new ConflictError(active.message);
        if (check.missingKey) throw new KeyMissingError([{ provider: 'tinker', env: check.missingKey }]);
        const errors = check.checks.filter((c) => c.level === 'error');
        if (errors.length) throw new InputError(`cannot start training: ${errors.map((c) => c.message).join('; ')}`);
        const warnings = check.checks.filter((c) => c.level === 'warn');
        if (warnings.length && !args.confirmed)
          throw new InputError(
            `training needs a confirmation of its pre-flight warnings: ${warnings.map((c) => c.message).join('; ')}`,
          );
        return await launchTraining({ ...args, runner: args.runner });
      } finally {
        trainingStarting = false;
      }
    },
    startGeneration(args) {
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
    },
    startRules(args) {
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
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    cancelAll() {
      for (const c of controllers) c.abort();
    },
  };
}
