import { join } from 'node:path';
import { loadYamlConfig } from '../config/load-yaml.ts';
import { appConfigDir } from '../config.ts';
import { type TrainingConfig, TrainingConfigSchema, type TrainingEvent } from '../contracts/training.ts';
import { InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { createRun, finishRun, getRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { appendTrainingEvent, lastCheckpoint, registerModel } from '../store/training.ts';
import type { Env } from '../util/env.ts';
import { type DatasetManifest, exportDataset } from './dataset.ts';
import { fuseAndExportGguf, startMlxTraining } from './mlx.ts';
import { startTinkerTraining } from './tinker.ts';

export type Runner = 'local' | 'tinker';

/** configs/training.yaml, with a run's overrides merged over it and checked. */
export function loadTrainingConfig(overrides: { local?: unknown; tinker?: unknown } = {}): TrainingConfig {
  return loadYamlConfig(join(appConfigDir(), 'training.yaml'), TrainingConfigSchema, {
    override: overrides,
    optional: true,
  });
}

export interface TrainOptions {
  runner: Runner;
  /** Per-run settings over configs/training.yaml (the runner's section). */
  overrides?: Record<string, unknown>;
  /** Continue a stopped run from its last checkpoint (local runs). */
  resumeRunId?: number;
  /** After a local run: fuse and export a GGUF node-llama-cpp loads (default true). */
  exportGguf?: boolean;
  env?: Env;
  signal?: AbortSignal;
  onRun?: (runId: number) => void;
  onEvent?: (event: TrainingEvent) => void;
  /** Tests only: the Tinker worker's stand-ins for the SDK's clients. */
  tinkerFakeService?: boolean;
}

export interface TrainSummary {
  runId: number;
  runner: Runner;
  dataset: DatasetManifest;
  adapterPath: string;
  ggufPath?: string;
  iters: number;
  cancelled: boolean;
  firstLoss?: number;
  lastLoss?: number;
  lastValLoss?: number;
  modelIds: number[];
}

/**
 * A training run: the approved pairs exported as a dataset (kept beside the run), the runner
 * started with the config, every event stored (the Train page draws the curves from them) and
 * reflected in the run's progress, cancel from any process (a clean stop, checkpoint kept), and
 * the results registered as models. A stopped local run resumes from its last checkpoint.
 */
export async function runTraining(project: Project, options: TrainOptions): Promise<TrainSummary> {
  const { db } = project;
  const config = loadTrainingConfig({ [options.runner]: options.overrides ?? {} });
  let resumeAdapter: string | undefined;
  if (options.resumeRunId !== undefined) {
    const prev = getRun(db, options.resumeRunId);
    if (prev?.kind !== 'training') throw new InputError(`no training run ${options.resumeRunId}`);
    if (options.runner !== 'local')
      throw new InputError('Tinker runs start over: resuming from a Tinker state is not supported yet');
    const cp = lastCheckpoint(db, options.resumeRunId);
    if (!cp) throw new InputError(`run ${options.resumeRunId} saved no checkpoint to resume from`);
    resumeAdapter = cp.path;
  }
  const settings = options.runner === 'local' ? config.local : config.tinker;
  const runId = createRun(db, 'training', {
    runner: options.runner,
    config: settings,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.resumeRunId !== undefined ? { resumedFrom: options.resumeRunId } : {}),
  });
  options.onRun?.(runId);
  const runDir = join(project.dir, 'data', 'training', `run-${runId}`);
  const dataDir = join(runDir, 'data');
  const outDir = join(runDir, 'out');
  let losses: number[] = [];
  let lastVal: number | undefined;
  let total = 0;
  let trainingStarted = false;
  const onEvent = (e: TrainingEvent) => {
    appendTrainingEvent(db, runId, e);
    if (e.type === 'start' || e.type === 'train') trainingStarted = true;
    if (e.type === 'start') {
      total = e.totalIters;
      updateRunProgress(db, runId, e.startIter, e.totalIters);
    } else if (e.type === 'train') {
      losses = [...losses, e.loss];
      if (e.itersPerSec) lastStepSeconds = 1 / e.itersPerSec;
      updateRunProgress(db, runId, e.iter, total || null);
    } else if (e.type === 'val') lastVal = e.loss;
    else if (e.type === 'log') setRunMessage(db, runId, e.message);
    options.onEvent?.(e);
  };
  const controller = new AbortController();
  let lastStepSeconds: number | undefined;
  // Stopping is at a step boundary (the worker saves first): say how long that can take.
  const stop = () => {
    if (controller.signal.aborted) return;
    const step = lastStepSeconds === undefined ? '' : ` (a step takes about ${lastStepSeconds.toFixed(1)} s)`;
    setRunMessage(db, runId, `stopping: the trainer saves and stops after its current step${step}`);
    controller.abort();
  };
  const forward = () => stop();
  options.signal?.addEventListener('abort', forward, { once: true });
  if (options.signal?.aborted) stop(); // aborted before this run could listen
  // Another process (the app, the CLI) may ask this run to stop.
  const poll = setInterval(() => {
    if (isCancelRequested(db, runId)) stop();
  }, 250);
  try {
    const dataset = await exportDataset(db, { outDir: dataDir });
    if (!dataset.splits.train.examples) throw new InputError('the dataset has no training examples');
    setRunMessage(db, runId, options.runner === 'local' ? 'preparing the MLX trainer' : 'starting the Tinker worker');
    const run =
      options.runner === 'local'
        ? startMlxTraining({
            dataDir,
            outDir,
            config: config.local,
            ...(resumeAdapter ? { resumeAdapter } : {}),
            onEvent,
            signal: controller.signal,
          })
        : startTinkerTraining({
            dataDir,
            outDir,
            config: config.tinker,
            ...(options.env ? { env: options.env } : {}),
            onEvent,
            signal: controller.signal,
            ...(options.tinkerFakeService ? { fakeService: true } : {}),
          });
    // A stop before the first step (the trainer still installing or loading the model) has nothing
    // to save: the run ends now instead of after minutes of setup; the worker is told to stop too.
    const stoppedEarly = new Promise<'stopped'>((resolveStop) => {
      const early = () => {
        if (!trainingStarted) resolveStop('stopped');
      };
      if (controller.signal.aborted) early();
      else controller.signal.addEventListener('abort', early, { once: true });
    });
    const outcome = await Promise.race([run.done, stoppedEarly]);
    if (outcome === 'stopped') {
      run.done.catch(() => undefined); // it ends on its own (SIGTERM on spawn); its error is not this run's
      const stopped: TrainSummary = {
        runId,
        runner: options.runner,
        dataset,
        adapterPath: outDir,
        iters: 0,
        cancelled: true,
        modelIds: [],
      };
      finishRun(db, runId, 'cancelled', { ...stopped, stoppedBeforeFirstStep: true });
      return stopped;
    }
    const result = outcome;
    const modelIds: number[] = [];
    const summary: TrainSummary = {
      runId,
      runner: options.runner,
      dataset,
      adapterPath: result.adapterPath,
      iters: 'lastIter' in result ? result.lastIter : result.iter,
      cancelled: result.cancelled,
      modelIds,
      ...(losses.length ? { firstLoss: losses[0] as number, lastLoss: losses.at(-1) as number } : {}),
      ...(lastVal !== undefined ? { lastValLoss: lastVal } : {}),
    };
    if (!result.cancelled) {
      if (options.runner === 'local') {
        modelIds.push(
          registerModel(db, {
            name: `adapter of run ${runId}`,
            kind: 'mlx-adapter',
            path: result.adapterPath,
            base: config.local.baseModel,
            runId,
          }),
        );
        if (options.exportGguf !== false) {
          setRunMessage(db, runId, 'fusing the adapter and exporting a GGUF');
          const gguf = await fuseAndExportGguf({
            baseModel: config.local.baseModel,
            adapterDir: outDir,
            outFile: join(runDir, `compressor-run-${runId}.gguf`),
            signal: controller.signal,
          });
          summary.ggufPath = gguf;
          modelIds.push(
            registerModel(db, {
              name: `compressor (run ${runId})`,
              kind: 'gguf',
              path: gguf,
              base: config.local.baseModel,
              quantization: 'q8_0',
              runId,
              metadata: { dataset: dataset.hash, iters: summary.iters, lastValLoss: lastVal ?? null },
            }),
          );
        }
      } else if ('peftPath' in result) {
        if (result.peftPath)
          modelIds.push(
            registerModel(db, {
              name: `PEFT adapter (run ${runId})`,
              kind: 'peft-adapter',
              path: result.peftPath,
              runId,
            }),
          );
        if (result.ggufPath) {
          summary.ggufPath = result.ggufPath;
          modelIds.push(
            registerModel(db, { name: `GGUF LoRA (run ${runId})`, kind: 'gguf-adapter', path: result.ggufPath, runId }),
          );
        }
      }
    }
    finishRun(db, runId, result.cancelled ? 'cancelled' : 'succeeded', { ...summary });
    return summary;
  } catch (error) {
    finishRun(db, runId, 'failed', {}, error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    clearInterval(poll);
    options.signal?.removeEventListener('abort', forward);
  }
}
