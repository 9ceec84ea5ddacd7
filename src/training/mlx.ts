import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appRoot } from '../app-root.ts';
import { type LocalTrainingConfig, LocalTrainingSchema, type TrainingEvent } from '../contracts/training.ts';
import { convertHfToGguf, type GgufOutType } from '../convert/hf-to-gguf.ts';
import { InputError } from '../errors/index.ts';
import { runChild } from '../workers/run-child.ts';
import { ensureVenv } from '../workers/venv.ts';
import { startTrainer, type TrainerEnd, type TrainerRun } from './trainer-process.ts';

/**
 * Local LoRA training with mlx-lm: the venv the app owns, the driver `native/mlx/train.py`
 * (JSON lines, src/contracts/training.ts), and fusing + GGUF export for node-llama-cpp.
 */

const SETUP_TIMEOUT_MS = 30 * 60_000;
/** How long a cancelled run gets to finish its step and save before SIGKILL. */
const DEFAULT_CANCEL_GRACE_MS = 120_000;

const nativeDir = () => join(appRoot(), 'native', 'mlx');

/** The trainer's venv: `.cache/training/mlx-venv` (STUDIO_MLX_VENV overrides), mlx-lm[cpu] on Linux, mlx-lm on macOS. */
export function ensureMlxVenv(options: { onProgress?: (message: string) => void } = {}): Promise<string> {
  const requirements = join(
    nativeDir(),
    process.platform === 'darwin' ? 'requirements-darwin.txt' : 'requirements.txt',
  );
  return ensureVenv({
    dir: process.env.STUDIO_MLX_VENV ?? join(appRoot(), '.cache', 'training', 'mlx-venv'),
    requirements,
    what: 'the MLX trainer',
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

const OPENBLAS = [
  '/usr/lib/x86_64-linux-gnu/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  '/usr/lib64/libopenblas.so.0',
  '/usr/lib/libopenblas.so.0',
];

/**
 * The environment for mlx-lm's processes. On Linux the mlx-cpu wheel bundles the reference BLAS,
 * about 20 times slower than OpenBLAS for the matrix products training is made of; a system
 * OpenBLAS (Debian: libopenblas0-pthread) is preloaded where one is installed, and its symbols
 * take the place of the bundled ones. STUDIO_MLX_BLAS names another library, or `none`.
 */
export function mlxEnv(): Record<string, string> {
  const env: Record<string, string> = { PYTHONUNBUFFERED: '1' };
  if (process.platform !== 'linux') return env;
  const chosen = process.env.STUDIO_MLX_BLAS;
  const blas = chosen === undefined ? OPENBLAS.find((p) => existsSync(p)) : chosen === 'none' ? undefined : chosen;
  if (blas) env.LD_PRELOAD = [blas, process.env.LD_PRELOAD].filter(Boolean).join(':');
  return env;
}

export interface MlxTrainingOptions {
  /** Holds train.jsonl (and valid.jsonl) in chat format. */
  dataDir: string;
  /** Receives adapters.safetensors, adapter_config.json, the checkpoints and progress.json. */
  outDir: string;
  /** LocalTrainingSchema's fields; missing ones take its defaults. */
  config: Partial<LocalTrainingConfig> | LocalTrainingConfig;
  /** An adapter file of an earlier run (its adapters.safetensors or a checkpoint) to continue from. */
  resumeAdapter?: string;
  onEvent: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** Time to finish the current step and save after cancel(), before SIGKILL. Default 2 minutes. */
  cancelGraceMs?: number;
  /** The command to run instead of the venv's Python on native/mlx/train.py (tests). */
  command?: readonly [string, ...string[]];
}

/** How a run ended: the adapter (or for a cancelled run the checkpoint kept) and the last step. */
export type MlxTrainingResult = TrainerEnd;

export type MlxTrainingRun = TrainerRun;

/**
 * Runs native/mlx/train.py and streams its events (startTrainer's rules: a line that is not an
 * event stops the run, InputError for bad input, WorkerCrashedError with the stderr tail for the
 * rest). A config LocalTrainingSchema refuses throws an InputError at once, before anything is
 * spawned.
 */
export function startMlxTraining(options: MlxTrainingOptions): MlxTrainingRun {
  const parsed = LocalTrainingSchema.safeParse(options.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`invalid training config: ${issue?.message ?? 'does not parse'}`, {
      field: issue?.path.join('.') ?? '',
    });
  }
  const config = parsed.data;
  return startTrainer({
    name: 'the trainer',
    async prepare() {
      const [command, ...prefix] = options.command ?? [await ensureMlxVenv(), join(nativeDir(), 'train.py')];
      const args = [...prefix, resolve(options.dataDir), resolve(options.outDir), JSON.stringify(config)];
      if (options.resumeAdapter) args.push('--resume-adapter-file', resolve(options.resumeAdapter));
      return { command, args, env: mlxEnv() };
    },
    onEvent: options.onEvent,
    cancelGraceMs: options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.resumeAdapter ? { resumedFrom: options.resumeAdapter } : {}),
  });
}

export interface FuseOptions {
  /** The base model the adapter was trained on (a local folder or a repo id mlx-lm can fetch). */
  baseModel: string;
  /** Holds adapters.safetensors and adapter_config.json. */
  adapterDir: string;
  /** Where the GGUF goes; it appears there only once complete. */
  outFile: string;
  /** Default q8_0: half the size of f16, and what the CPU runs fastest among the three. */
  outType?: GgufOutType;
  /** Keep the fused Hugging Face folder here; by default it is a temporary folder, removed. */
  fusedDir?: string;
  signal?: AbortSignal;
}

/**
 * Fuses the adapter into the base model (dequantized, with mlx-lm) and converts the result with
 * llama.cpp's converter to a GGUF node-llama-cpp loads. Returns the GGUF's absolute path.
 */
export async function fuseAndExportGguf(options: FuseOptions): Promise<string> {
  const adapterDir = resolve(options.adapterDir);
  for (const name of ['adapters.safetensors', 'adapter_config.json'])
    if (!existsSync(join(adapterDir, name)))
      throw new InputError(`${adapterDir} has no ${name}: not an adapter folder`, { file: adapterDir });
  const outFile = resolve(options.outFile);
  const fusedDir = resolve(options.fusedDir ?? `${outFile}.fused`);
  const python = await ensureMlxVenv();
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    await runChild(
      python,
      [
        join(nativeDir(), 'fuse.py'),
        '--model',
        options.baseModel,
        '--adapter-path',
        adapterDir,
        '--save-path',
        fusedDir,
      ],
      { what: `fusing ${adapterDir} into ${options.baseModel}`, timeoutMs: SETUP_TIMEOUT_MS, env: mlxEnv(), ...signal },
    );
    return await convertHfToGguf({ modelDir: fusedDir, outFile, outType: options.outType ?? 'q8_0', ...signal });
  } finally {
    if (!options.fusedDir) rmSync(fusedDir, { recursive: true, force: true });
  }
}
