import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { runChild } from '../workers/run-child.ts';
import { ensureVenv } from '../workers/venv.ts';

const building = new Map<string, Promise<string>>();

/**
 * SmolLM2-135M-Instruct as a Hugging Face checkpoint folder, for local training where no model hub
 * is reachable (tests, the benchmark): the Q4_1 GGUF that `ensureSmolLM2()` provides, dequantized
 * to float32 by transformers in its own venv (`.cache/models/hf-venv`, native/mlx/
 * requirements-checkpoint.txt) with native/mlx/gguf_to_hf.py. Made once, cached git-ignored in
 * `.cache/models/smollm2-135m-instruct-hf`; the script renames a finished folder into place, so
 * its config.json means it is whole.
 */
export function ensureHfCheckpoint(options: { onProgress?: (message: string) => void } = {}): Promise<string> {
  const models = join(appRoot(), '.cache', 'models');
  const out = join(models, 'smollm2-135m-instruct-hf');
  if (existsSync(join(out, 'config.json'))) return Promise.resolve(out);
  let pending = building.get(out);
  if (!pending) {
    pending = (async () => {
      const gguf = ensureSmolLM2();
      const python = await ensureVenv({
        dir: join(models, 'hf-venv'),
        requirements: join(appRoot(), 'native', 'mlx', 'requirements-checkpoint.txt'),
        what: 'the GGUF -> Hugging Face converter',
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      mkdirSync(models, { recursive: true });
      options.onProgress?.(`converting ${gguf} to a Hugging Face checkpoint`);
      await runChild(python, [join(appRoot(), 'native', 'mlx', 'gguf_to_hf.py'), gguf, out], {
        what: 'converting SmolLM2 to a Hugging Face checkpoint',
        timeoutMs: 20 * 60_000,
        env: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
      });
      return out;
    })().finally(() => building.delete(out));
    building.set(out, pending);
  }
  return pending;
}
