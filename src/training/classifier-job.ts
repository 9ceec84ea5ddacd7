import { join } from 'node:path';
import { loadYamlConfig } from '../config/load-yaml.ts';
import { appConfigDir } from '../config.ts';
import { type ClassifierTrainingConfig, ClassifierTrainingSchema } from '../contracts/classifier.ts';
import type { TrainingEvent } from '../contracts/training.ts';
import { InputError } from '../errors/index.ts';
import { runGeneration } from '../generation/generate-job.ts';
import type { Project } from '../project.ts';
import { createRun, finishRun, getRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { selectSourceIds } from '../store/sources.ts';
import { appendTrainingEvent, lastCheckpoint, registerModel } from '../store/training.ts';
import { startClassifierTraining } from './classifier.ts';
import { type ClassifierDatasetManifest, exportClassifierDataset } from './classifier-dataset.ts';

/** configs/training.yaml's `classifier` section with a run's overrides over it, checked. */
export function loadClassifierConfig(overrides: Record<string, unknown> = {}): ClassifierTrainingConfig {
  const file = join(appConfigDir(), 'training.yaml');
  return loadYamlConfig(file, ClassifierTrainingSchema, { section: 'classifier', override: overrides, optional: true });
}

export interface DistilOptions {
  /** The local GGUF `pruned` scores with. */
  prunerModelPath: string;
  /** Kept fractions to label at (one pruned candidate each). */
  ratios: readonly number[];
  /** The selection to label; every prose and dialogue source when absent. */
  sourceIds?: readonly number[];
}

export interface ClassifierTrainOptions {
  overrides?: Record<string, unknown>;
  /** Also train on unlabelled candidates of these strategies (approved pairs always count). */
  strategies?: readonly string[];
  /** Label the selection with `pruned` first and train on that (few or no approved pairs). */
  distil?: DistilOptions;
  /** Continue a stopped classifier run from its checkpoint. */
  resumeRunId?: number;
  signal?: AbortSignal;
  onRun?: (runId: number) => void;
  onEvent?: (event: TrainingEvent) => void;
}

export interface ClassifierTrainSummary {
  runId: number;
  runner: 'classifier';
  dataset: ClassifierDatasetManifest;
  /** The exported model folder (model.onnx, vocab.txt, classifier.json), or the checkpoint when stopped. */
  modelPath: string;
  iters: number;
  cancelled: boolean;
  firstLoss?: number;
  lastLoss?: number;
  bestValLoss?: number;
  modelIds: number[];
  distilRunId?: number;
}

/**
 * A classifier training run, as a LoRA run is one: a `training` run (runner `classifier`) whose
 * events are stored for the Train page, cancel from any process, resume from the checkpoint, the
 * exported ONNX folder registered as a model. With `distil`, the selection is first labelled by
 * `pruned` (its own generation run) and those candidates are the training pairs.
 */
export async function runClassifierTraining(
  project: Project,
  options: ClassifierTrainOptions = {},
): Promise<ClassifierTrainSummary> {
  const { db } = project;
  const config = loadClassifierConfig(options.overrides);
  let resumeFile: string | undefined;
  if (options.resumeRunId !== undefined) {
    const prev = getRun(db, options.resumeRunId);
    if (prev?.kind !== 'training' || prev.config.runner !== 'classifier')
      throw new InputError(`no classifier training run ${options.resumeRunId}`);
    const cp = lastCheckpoint(db, options.resumeRunId);
    if (!cp) throw new InputError(`run ${options.resumeRunId} saved no checkpoint to resume from`);
    resumeFile = cp.path;
  }
  const runId = createRun(db, 'training', {
    runner: 'classifier',
    config,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.strategies?.length ? { strategies: options.strategies } : {}),
    ...(options.distil ? { distil: options.distil } : {}),
    ...(options.resumeRunId !== undefined ? { resumedFrom: options.resumeRunId } : {}),
  });
  options.onRun?.(runId);
  const runDir = join(project.dir, 'data', 'training', `run-${runId}`);
  const dataDir = join(runDir, 'data');
  const outDir = join(runDir, 'out');
  const losses: number[] = [];
  let bestVal: number | undefined;
  let total = 0;
  const onEvent = (e: TrainingEvent) => {
    appendTrainingEvent(db, runId, e);
    if (e.type === 'start') {
      total = e.totalIters;
      updateRunProgress(db, runId, e.startIter, e.totalIters);
    } else if (e.type === 'train') {
      losses.push(e.loss);
      updateRunProgress(db, runId, e.iter, total || null);
    } else if (e.type === 'val') bestVal = Math.min(bestVal ?? e.loss, e.loss);
    else if (e.type === 'log') setRunMessage(db, runId, e.message);
    options.onEvent?.(e);
  };
  const controller = new AbortController();
  const forward = () => controller.abort();
  options.signal?.addEventListener('abort', forward, { once: true });
  const poll = setInterval(() => {
    if (isCancelRequested(db, runId)) controller.abort();
  }, 1000);
  try {
    let distilRunId: number | undefined;
    let strategies = [...(options.strategies ?? [])];
    let sourceIds: number[] | undefined;
    if (options.distil) {
      // Prose and dialogue only: code never goes to the classifier.
      sourceIds = [...(options.distil.sourceIds ?? [])];
      if (!sourceIds.length)
        sourceIds = [...selectSourceIds(db, { domain: 'nl' }), ...selectSourceIds(db, { domain: 'chat' })];
      if (!sourceIds.length) throw new InputError('no prose or dialogue sources to label with pruned');
      setRunMessage(db, runId, `labelling the selection with pruned at ${options.distil.ratios.join(', ')}`);
      const gen = await runGeneration(project, {
        strategy: 'pruned',
        ratios: [...options.distil.ratios],
        prunerModelPath: options.distil.prunerModelPath,
        sourceIds,
        signal: controller.signal,
      });
      distilRunId = gen.runId;
      if (gen.stoppedBy === 'cancelled') throw new InputError('stopped while labelling with pruned');
      strategies = [...new Set([...strategies, 'pruned'])];
    }
    const dataset = exportClassifierDataset(db, {
      outDir: dataDir,
      strategies,
      ...(sourceIds ? { sourceIds } : {}),
    });
    setRunMessage(db, runId, 'preparing the classifier trainer');
    const run = startClassifierTraining({
      dataDir,
      outDir,
      config,
      ...(resumeFile ? { resumeFile } : {}),
      onEvent,
      signal: controller.signal,
    });
    const result = await run.done;
    const modelIds: number[] = [];
    if (!result.cancelled)
      modelIds.push(
        registerModel(db, {
          name: `token classifier (run ${runId})`,
          kind: 'onnx-classifier',
          path: result.adapterPath,
          base: config.baseModel || 'all-MiniLM-L6-v2',
          quantization: config.quantize ? 'int8' : 'fp32',
          runId,
          metadata: { dataset: dataset.hash, steps: result.lastIter, bestValLoss: bestVal ?? null },
        }),
      );
    const summary: ClassifierTrainSummary = {
      runId,
      runner: 'classifier',
      dataset,
      modelPath: result.adapterPath,
      iters: result.lastIter,
      cancelled: result.cancelled,
      modelIds,
      ...(losses.length ? { firstLoss: losses[0] as number, lastLoss: losses.at(-1) as number } : {}),
      ...(bestVal !== undefined ? { bestValLoss: bestVal } : {}),
      ...(distilRunId !== undefined ? { distilRunId } : {}),
    };
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
