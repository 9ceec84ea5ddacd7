import { join, resolve } from 'node:path';
import { appRoot } from '../app-root.ts';
import { type ClassifierTrainingConfig, ClassifierTrainingSchema } from '../contracts/classifier.ts';
import type { TrainingEvent } from '../contracts/training.ts';
import { ensureMiniLMCheckpoint } from '../convert/minilm-checkpoint.ts';
import { InputError } from '../errors/index.ts';
import { ensureClassifierVenv } from '../workers/classifier-venv.ts';
import { startTrainer, type TrainerRun } from './trainer-process.ts';

/**
 * The token classifier's trainer: its own venv (torch CPU 2.13.0, transformers, onnx, onnxruntime:
 * native/classifier/requirements.txt) and the worker native/classifier/train.py, speaking the same
 * JSON-line events as the MLX trainer, with the same cancel (SIGTERM, a step boundary, a
 * checkpoint kept) and resume.
 */

const nativeDir = () => join(appRoot(), 'native', 'classifier');
const DEFAULT_CANCEL_GRACE_MS = 60_000;

export interface ClassifierTrainingOptions {
  /** Holds train.jsonl (and valid.jsonl) of `exportClassifierDataset`. */
  dataDir: string;
  /** Receives checkpoint.pt, best.pt and model/ (model.onnx, vocab.txt, classifier.json). */
  outDir: string;
  config: Partial<ClassifierTrainingConfig>;
  /** A checkpoint.pt of an earlier run to continue from. */
  resumeFile?: string;
  onEvent: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  cancelGraceMs?: number;
}

/** `done`'s `adapterPath` is the exported model folder, or the checkpoint when cancelled. */
export type ClassifierTrainingRun = TrainerRun;

export function parseClassifierConfig(config: unknown): ClassifierTrainingConfig {
  const parsed = ClassifierTrainingSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`invalid classifier training config: ${issue?.message ?? 'does not parse'}`, {
      field: issue?.path.join('.') ?? '',
    });
  }
  return parsed.data;
}

export function startClassifierTraining(options: ClassifierTrainingOptions): ClassifierTrainingRun {
  const config = parseClassifierConfig(options.config);
  return startTrainer({
    name: 'the trainer',
    async prepare() {
      const python = await ensureClassifierVenv();
      const baseModel = config.baseModel ? resolve(config.baseModel) : await ensureMiniLMCheckpoint({ python });
      const args = [
        join(nativeDir(), 'train.py'),
        resolve(options.dataDir),
        resolve(options.outDir),
        JSON.stringify({ ...config, baseModel }),
      ];
      if (options.resumeFile) args.push('--resume-file', resolve(options.resumeFile));
      const threads = String(config.threads);
      return {
        command: python,
        args,
        env: { PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads },
      };
    },
    onEvent: options.onEvent,
    cancelGraceMs: options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.resumeFile ? { resumedFrom: options.resumeFile } : {}),
  });
}
