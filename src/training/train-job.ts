import { join } from 'node:path';
import { loadYamlConfig } from '../config/load-yaml.ts';
import { appConfigDir } from '../config.ts';
import { type TrainingConfig, TrainingConfigSchema, type TrainingEvent } from '../contracts/training.ts';
import { InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { registerModel } from '../store/training.ts';
import type { Env } from '../util/env.ts';
import { type DatasetManifest, exportDataset } from './dataset.ts';
import { fuseAndExportGguf, startMlxTraining } from './mlx.ts';
import { startTinkerTraining, type TinkerResult } from './tinker.ts';
import type { TrainerEnd } from './trainer-process.ts';
import { callerHooks, checkpointToResume, withTrainingRun } from './training-run.ts';

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
    if (options.runner !== 'local')
      throw new InputError('Tinker runs start over: resuming from a Tinker state is not supported yet');
    resumeAdapter = checkpointToResume(project, options.resumeRunId);
  }
  const settings = options.runner === 'local' ? config.local : config.tinker;
  const stored = {
    config: settings,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.resumeRunId !== undefined ? { resumedFrom: options.resumeRunId } : {}),
  };
  return withTrainingRun<TrainSummary>(
    project,
    { ...callerHooks(options), runner: options.runner, stored },
    async (tr) => {
      const { runId, runDir, dataDir, outDir } = tr;
      const dataset = await exportDataset(db, { outDir: dataDir });
      if (!dataset.splits.train.examples) throw new InputError('the dataset has no training examples');
      tr.message(options.runner === 'local' ? 'preparing the MLX trainer' : 'starting the Tinker worker');
      const run =
        options.runner === 'local'
          ? startMlxTraining({
              dataDir,
              outDir,
              config: config.local,
              ...(resumeAdapter ? { resumeAdapter } : {}),
              onEvent: tr.onEvent,
              signal: tr.signal,
            })
          : startTinkerTraining({
              dataDir,
              outDir,
              config: config.tinker,
              ...(options.env ? { env: options.env } : {}),
              onEvent: tr.onEvent,
              signal: tr.signal,
              ...(options.tinkerFakeService ? { fakeService: true } : {}),
            });
      const outcome = await tr.untilStopBeforeFirstStep<TrainerEnd | TinkerResult>(run.done);
      if (outcome === 'stopped') {
        const stopped: TrainSummary = {
          runId,
          runner: options.runner,
          dataset,
          adapterPath: outDir,
          iters: 0,
          cancelled: true,
          modelIds: [],
        };
        return { status: 'cancelled', summary: stopped, extra: { stoppedBeforeFirstStep: true } };
      }
      const result = outcome;
      const { losses, lastVal } = tr.curve();
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
            tr.message('fusing the adapter and exporting a GGUF');
            const gguf = await fuseAndExportGguf({
              baseModel: config.local.baseModel,
              adapterDir: outDir,
              outFile: join(runDir, `compressor-run-${runId}.gguf`),
              signal: tr.signal,
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
              registerModel(db, {
                name: `GGUF LoRA (run ${runId})`,
                kind: 'gguf-adapter',
                path: result.ggufPath,
                runId,
              }),
            );
          }
        }
      }
      return { status: result.cancelled ? 'cancelled' : 'succeeded', summary };
    },
  );
}
