import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { appRoot } from '../app-root.ts';
import {
  type LocalTrainingConfig,
  LocalTrainingSchema,
  type TrainingEvent,
  TrainingEventSchema,
} from '../contracts/training.ts';
import { InputError, StudioError, WorkerCrashedError } from '../errors/index.ts';
import { sha256 } from '../util/hash.ts';
import { convertHfToGguf, type GgufOutType, runChild } from './gguf-converter.ts';
import { readText, stderrTail, venvPython } from './worker-files.ts';

/**
 * Local LoRA training with mlx-lm: the venv the app owns, the driver `native/mlx/train.py`
 * (JSON lines, src/contracts/training.ts), and fusing + GGUF export for node-llama-cpp.
 */

const SETUP_TIMEOUT_MS = 30 * 60_000;
/** How long a cancelled run gets to finish its step and save before SIGKILL. */
const DEFAULT_CANCEL_GRACE_MS = 120_000;
/** The driver's exit code for bad input (config, dataset line, resume file). */
const EXIT_BAD_INPUT = 2;

const nativeDir = () => join(appRoot(), 'native', 'mlx');

export type { venvPython };

export interface VenvSpec {
  /** The venv folder, created once and rebuilt when the requirements change. */
  dir: string;
  /** The requirements file installed into it (files it includes with -r count for the stamp too). */
  requirements: string;
  /** Says what the venv is for, first in messages. */
  what: string;
  onProgress?: (message: string) => void;
}

const building = new Map<string, Promise<string>>();

/**
 * A venv with a requirements file installed, built once: into a temporary folder renamed into
 * place with a stamp (the requirements' hash) inside, so a reader never sees half a venv and two
 * processes building at once both end with a whole one. Only `bin/python -m ...` is used, never
 * an entry-point script (their shebangs would name the temporary folder). Returns its Python.
 */
export function ensureVenv(spec: VenvSpec): Promise<string> {
  const python = venvPython(spec.dir);
  const want = requirementsDigest(spec.requirements);
  const stamp = join(spec.dir, 'studio-ready.json');
  if (readText(stamp) === want && existsSync(python)) return Promise.resolve(python);
  let pending = building.get(spec.dir);
  if (!pending) {
    pending = buildVenv(spec, want).finally(() => building.delete(spec.dir));
    building.set(spec.dir, pending);
  }
  return pending;
}

async function buildVenv(spec: VenvSpec, want: string): Promise<string> {
  if (process.platform === 'win32') throw new StudioError(`${spec.what}: MLX runs on macOS and Linux only`);
  const progress = spec.onProgress ?? (() => undefined);
  const base = process.env.STUDIO_PYTHON ?? 'python3';
  await checkPython(base);
  mkdirSync(dirname(spec.dir), { recursive: true });
  const tmp = `${spec.dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    progress(`${spec.what}: creating a Python venv`);
    await runChild(base, ['-m', 'venv', tmp], { what: `${base} -m venv` });
    progress(`${spec.what}: installing ${spec.requirements.split('/').at(-1)} (a few minutes the first time)`);
    await runChild(
      venvPython(tmp),
      ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', spec.requirements],
      { what: `${spec.what}: installing the requirements`, timeoutMs: SETUP_TIMEOUT_MS },
    );
    writeFileSync(join(tmp, 'studio-ready.json'), want);
    // Another process may have finished first: keep its venv (it may be running from it).
    if (readText(join(spec.dir, 'studio-ready.json')) !== want) {
      const old = `${spec.dir}.${process.pid}.old`;
      if (existsSync(spec.dir)) renameSync(spec.dir, old);
      renameSync(tmp, spec.dir);
      rmSync(old, { recursive: true, force: true });
    }
    progress(`${spec.what}: ready`);
    return venvPython(spec.dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function checkPython(base: string): Promise<void> {
  let version = '';
  try {
    await runChild(base, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      what: `checking ${base}`,
      onStdout: (t) => {
        version += t;
      },
    });
  } catch (cause) {
    throw new StudioError(
      `Python 3 was not found (tried "${base}"): install Python 3.10 or newer, or set STUDIO_PYTHON to its path. Local training needs it to run mlx-lm.`,
      { cause },
    );
  }
  const [major = 0, minor = 0] = version.trim().split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 10))
    throw new StudioError(`${base} is Python ${version.trim()}; mlx-lm needs Python 3.10 or newer (set STUDIO_PYTHON)`);
}

/** The requirements file and every file it includes with `-r`, hashed together. */
function requirementsDigest(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const included = [...text.matchAll(/^\s*-r\s+(\S+)/gm)].map((m) =>
    requirementsDigest(join(dirname(file), m[1] ?? ''), seen),
  );
  return sha256([text, ...included].join('\0'));
}

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

export interface MlxTrainingResult {
  adapterPath: string;
  lastIter: number;
  cancelled: boolean;
}

export interface MlxTrainingRun {
  done: Promise<MlxTrainingResult>;
  /** Asks the trainer to stop at the next step boundary and keep its checkpoint; SIGKILL after the grace period. */
  cancel(): void;
}

/**
 * Runs native/mlx/train.py and streams its events. Every stdout line must be a TrainingEvent: a
 * line that is not is a protocol error (the child is stopped). A run that ends without `done`
 * rejects: an InputError for bad input (the driver's `error` event, exit code 2), otherwise a
 * WorkerCrashedError carrying the tail of stderr; either way an `error` event is emitted first.
 * A config LocalTrainingSchema refuses throws an InputError at once, before anything is spawned.
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
  let child: ChildProcess | undefined;
  let cancelRequested = false;
  let killTimer: NodeJS.Timeout | undefined;
  const cancel = () => {
    if (cancelRequested) return;
    cancelRequested = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child?.kill('SIGKILL'), options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
  };
  const done = (async (): Promise<MlxTrainingResult> => {
    const [command, ...prefix] = options.command ?? [await ensureMlxVenv(), join(nativeDir(), 'train.py')];
    const args = [...prefix, resolve(options.dataDir), resolve(options.outDir), JSON.stringify(config)];
    if (options.resumeAdapter) args.push('--resume-adapter-file', resolve(options.resumeAdapter));
    child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...mlxEnv() } });
    if (cancelRequested) {
      cancelRequested = false;
      cancel();
    }
    return watchTrainer(child, options, () => cancelRequested);
  })();
  const onAbort = () => cancel();
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = () => {
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
  };
  done.then(cleanup, cleanup);
  return { done, cancel };
}

/** Streams a trainer's JSON-line events until it exits (the MLX driver's and the token classifier's). */
export function watchTrainer(
  child: ChildProcess,
  options: Pick<MlxTrainingOptions, 'onEvent' | 'resumeAdapter'>,
  cancelled: () => boolean,
): Promise<MlxTrainingResult> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    let finished: TrainingEvent | undefined;
    let driverError: string | undefined;
    let protocolError: string | undefined;
    let lastCheckpoint: { iter: number; path: string } | undefined;
    let startIter = 0;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-32_000);
    });
    const lines = createInterface({
      input: child.stdout as NodeJS.ReadableStream,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    lines.on('line', (line) => {
      if (protocolError || !line.trim()) return;
      const event = parseEvent(line);
      if (!event) {
        protocolError = `the trainer wrote a line that is not a training event: ${line.slice(0, 500)}`;
        options.onEvent({ type: 'error', message: protocolError });
        child.kill('SIGTERM');
        return;
      }
      if (event.type === 'done') finished = event;
      if (event.type === 'error') driverError = event.message;
      if (event.type === 'checkpoint') lastCheckpoint = { iter: event.iter, path: event.path };
      if (event.type === 'start') startIter = event.startIter;
      options.onEvent(event);
    });
    child.on('error', (error) => {
      const message = `cannot start the trainer: ${error.message}`;
      options.onEvent({ type: 'error', message });
      reject(new WorkerCrashedError(message, '', { cause: error }));
    });
    child.on('close', (code, signal) => {
      const tail = stderrTail(stderr, 15);
      if (protocolError) return reject(new WorkerCrashedError(protocolError, tail));
      if (finished?.type === 'done')
        return resolvePromise({
          adapterPath: finished.adapterPath,
          lastIter: finished.iter,
          cancelled: finished.cancelled,
        });
      if (driverError) {
        if (code === EXIT_BAD_INPUT) return reject(new InputError(driverError));
        return reject(new WorkerCrashedError(`the trainer failed: ${driverError}${tail ? `\n${tail}` : ''}`, tail));
      }
      // Cancelled but killed (after the grace period, or before its handler was installed): what
      // was kept is the last checkpoint it announced, else the adapter it resumed from ('' if none).
      if (cancelled() && signal !== null)
        return resolvePromise({
          adapterPath: lastCheckpoint?.path ?? (options.resumeAdapter ? resolve(options.resumeAdapter) : ''),
          lastIter: lastCheckpoint?.iter ?? startIter,
          cancelled: true,
        });
      const how = code === null ? `killed by ${signal}` : `exit code ${code}`;
      const message = `the trainer stopped without finishing (${how})${tail ? `:\n${tail}` : ''}`;
      options.onEvent({ type: 'error', message });
      reject(new WorkerCrashedError(message, tail));
    });
  });
}

function parseEvent(line: string): TrainingEvent | undefined {
  try {
    const parsed = TrainingEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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
