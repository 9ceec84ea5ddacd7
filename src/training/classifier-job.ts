import { join } from 'node:path';
import { loadYamlConfig } from '../config/load-yaml.ts';
import { appConfigDir } from '../config.ts';
import { type ClassifierTrainingConfig, ClassifierTrainingSchema } from '../contracts/classifier.ts';
import type { TrainingEvent } from '../contracts/training.ts';
import { InputError } from '../errors/index.ts';
import { runGeneration } from '../generation/generate-job.ts';
import type { Project } from '../project.ts';
import { selectSourceIds } from '../store/sources.ts';
import { registerModel } from '../store/training.ts';
import { startClassifierTraining } from './classifier.ts';
import { type ClassifierDatasetManifest, exportClassifierDataset } from './classifier-dataset.ts';
import { callerHooks, checkpointToResume, type TrainingRun, withTrainingRun } from './training-run.ts';

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
  const resumeFile =
    options.resumeRunId === undefined ? undefined : checkpointToResume(project, options.resumeRunId, 'classifier');
  const stored = {
    config,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.strategies?.length ? { strategies: options.strategies } : {}),
    ...(options.distil ? { distil: options.distil } : {}),
    ...(options.resumeRunId !== undefined ? { resumedFrom: options.resumeRunId } : {}),
  };
  return withTrainingRun<ClassifierTrainSummary>(
    project,
    { ...callerHooks(options), runner: 'classifier', stored },
    async (tr) => {
      const { runId, dataDir, outDir } = tr;
      const labelled = options.distil ? await labelWithPruned(project, options.distil, tr) : undefined;
      const strategies = labelled
        ? [...new Set([...(options.strategies ?? []), 'pruned'])]
        : [...(options.strategies ?? [])];
      const dataset = exportClassifierDataset(db, {
        outDir: dataDir,
        strategies,
        ...(labelled ? { sourceIds: labelled.sourceIds } : {}),
      });
      tr.message('preparing the classifier trainer');
      const run = startClassifierTraining({
        dataDir,
        outDir,
        config,
        ...(resumeFile ? { resumeFile } : {}),
        onEvent: tr.onEvent,
        signal: tr.signal,
      });
      const outcome = await tr.untilStopBeforeFirstStep(run.done);
      const result = outcome === 'stopped' ? { adapterPath: outDir, lastIter: 0, cancelled: true } : outcome;
      const { losses, bestVal } = tr.curve();
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
        ...(labelled ? { distilRunId: labelled.runId } : {}),
      };
      return {
        status: result.cancelled ? 'cancelled' : 'succeeded',
        summary,
        ...(outcome === 'stopped' ? { extra: { stoppedBeforeFirstStep: true } } : {}),
      };
    },
  );
}

/** Labels the selection (prose and dialogue only: code never goes to the classifier) with `pruned`. */
async function labelWithPruned(
  project: Project,
  distil: DistilOptions,
  tr: TrainingRun,
): Promise<{ runId: number; sourceIds: number[] }> {
  const { db } = project;
  let sourceIds = [...(distil.sourceIds ?? [])];
  if (!sourceIds.length)
    sourceIds = [...selectSourceIds(db, { domain: 'nl' }), ...selectSourceIds(db, { domain: 'chat' })];
  if (!sourceIds.length) throw new InputError('no prose or dialogue sources to label with pruned');
  tr.message(`labelling the selection with pruned at ${distil.ratios.join(', ')}`);
  const gen = await runGeneration(project, {
    strategy: 'pruned',
    ratios: [...distil.ratios],
    prunerModelPath: distil.prunerModelPath,
    sourceIds,
    signal: tr.signal,
  });
  if (gen.stoppedBy === 'cancelled') throw new InputError('stopped while labelling with pruned');
  return { runId: gen.runId, sourceIds };
}
