import type { Llama, LlamaModel } from 'node-llama-cpp';
import { ProviderCallError } from '../../errors/index.ts';

let llamaPromise: Promise<Llama> | undefined;

/**
 * One llama.cpp binding per process: the prebuilt binaries (`build: 'never'`; a source build
 * would need the network), Metal on a Mac, CPU elsewhere. A failed load is retried next time.
 */
export function sharedLlama(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama } = await import('node-llama-cpp');
    return getLlama({ build: 'never', gpu: process.platform === 'darwin' ? 'metal' : false });
  })();
  llamaPromise.catch(() => {
    llamaPromise = undefined;
  });
  return llamaPromise;
}

/**
 * Loads a GGUF file; a file llama.cpp refuses is a non-retryable error naming it. `cpuOnly` takes
 * a CPU binding even on a Mac (a caller whose timings are measured against the CPU).
 */
export async function loadGgufModel(
  modelPath: string,
  options: { cpuOnly?: boolean } = {},
): Promise<{ llama: Llama; model: LlamaModel }> {
  const llama = options.cpuOnly
    ? await (await import('node-llama-cpp')).getLlama({ build: 'never', gpu: false })
    : await sharedLlama();
  try {
    return { llama, model: await llama.loadModel({ modelPath }) };
  } catch (cause) {
    throw new ProviderCallError(`cannot load the model ${modelPath}: ${String(cause)}`, { retryable: false, cause });
  }
}
