import type { Llama, LlamaLogLevel, LlamaModel } from 'node-llama-cpp';
import { ProviderCallError } from '../../errors/index.ts';

/**
 * llama.cpp messages that say nothing a user can act on (a tokenizer round-trip note, SmolLM2's
 * end-of-generation ids, an embedding model's outputs): printed on every load, they came out
 * between the JSON lines of `studio compress --jsonl`.
 */
const BENIGN_LOGS = [
  /tokenize text and then detokenize it resulted in a different text/,
  /special_eos_id is not in special_eog_ids/,
  /embeddings required but some input tokens were not marked as outputs/,
];

/** The logger every llama.cpp binding of the process is created with: all but the benign lines. */
export async function quietLlamaLogger(): Promise<(level: LlamaLogLevel, message: string) => void> {
  const { Llama } = await import('node-llama-cpp');
  return (level, message) => {
    if (!BENIGN_LOGS.some((pattern) => pattern.test(message))) Llama.defaultConsoleLogger(level, message);
  };
}

let llamaPromise: Promise<Llama> | undefined;

/**
 * One llama.cpp binding per process: the prebuilt binaries (`build: 'never'`; a source build
 * would need the network), Metal on a Mac, CPU elsewhere. A failed load is retried next time.
 */
export function sharedLlama(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama } = await import('node-llama-cpp');
    return getLlama({
      build: 'never',
      gpu: process.platform === 'darwin' ? 'metal' : false,
      logger: await quietLlamaLogger(),
    });
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
    ? await (await import('node-llama-cpp')).getLlama({ build: 'never', gpu: false, logger: await quietLlamaLogger() })
    : await sharedLlama();
  try {
    return { llama, model: await llama.loadModel({ modelPath }) };
  } catch (cause) {
    throw new ProviderCallError(`cannot load the model ${modelPath}: ${String(cause)}`, { retryable: false, cause });
  }
}
