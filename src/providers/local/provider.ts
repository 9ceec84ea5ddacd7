import { availableParallelism } from 'node:os';
import type { ChatHistoryItem, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { ProviderCallError } from '../../errors/index.ts';
import type { CompletionRequest, CompletionResponse, Provider } from '../spec.ts';
import { loadGgufModel } from './llama.ts';

export interface LocalProviderOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  contextSize?: number;
  /** CPU threads: node-llama-cpp's default oversubscribes small machines badly. */
  threads?: number;
  /**
   * Keep one context sequence across calls, so a call whose prompt begins as the previous one's
   * (many questions about one long text) evaluates only what differs. Sliding-window models then
   * keep a full cache, without which the shared prefix could not be reused. Off by default.
   */
  reusePrefix?: boolean;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
}

/**
 * A GGUF model through node-llama-cpp: the model's own chat template, and a JSON-schema grammar
 * for structured output. Loaded at the first call and kept warm; calls run one at a time on one
 * context sequence, each with its own chat history (nothing leaks between calls).
 */
/** The grammar guarantees JSON unless the token limit cut it off: say which, clearly. */
function normaliseJson(text: string, outputTokens: number, maxTokens: number): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new ProviderCallError(
      outputTokens >= maxTokens
        ? `the local model's JSON answer was cut off at the ${maxTokens}-token limit: raise maxTokens or ask for less`
        : 'the local model returned JSON that does not parse',
      { retryable: false },
    );
  }
}

export function createLocalProvider(options: LocalProviderOptions): Provider & { dispose(): Promise<void> } {
  let loading: Promise<Loaded> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let kept: LlamaContextSequence | undefined;

  const load = () => {
    loading ??= (async () => {
      const { llama, model } = await loadGgufModel(options.modelPath);
      const context = await model.createContext({
        contextSize: options.contextSize ?? 4096,
        threads: options.threads ?? Math.max(1, availableParallelism()),
        ...(options.reusePrefix ? { swaFullCache: true } : {}),
      });
      return { llama, model, context };
    })();
    return loading;
  };

  async function run(req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResponse> {
    const { llama, model, context } = await load();
    const { LlamaChatSession } = await import('node-llama-cpp');
    const last = req.messages.at(-1);
    if (last?.role !== 'user')
      throw new ProviderCallError('the last message must be from the user', { retryable: false });
    if (options.reusePrefix) kept ??= context.getSequence();
    const sequence = kept ?? context.getSequence();
    try {
      const session = new LlamaChatSession({
        contextSequence: sequence,
        ...(req.system ? { systemPrompt: req.system } : {}),
      });
      const history: ChatHistoryItem[] = [
        ...(req.system ? [{ type: 'system' as const, text: req.system }] : []),
        ...req.messages
          .slice(0, -1)
          .map(
            (m): ChatHistoryItem =>
              m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
          ),
      ];
      session.setChatHistory(history);
      const grammar = req.json
        ? await llama.createGrammarForJsonSchema(req.json.schema as Parameters<Llama['createGrammarForJsonSchema']>[0])
        : undefined;
      let finish: CompletionResponse['finishReason'] = 'stop';
      const text = await session.prompt(last.content, {
        maxTokens: req.maxTokens,
        temperature: req.temperature ?? 0,
        ...(grammar ? { grammar } : {}),
        ...(signal ? { signal, stopOnAbortSignal: true } : {}),
        onResponseChunk: () => undefined,
      });
      const inputText = [req.system ?? '', ...req.messages.map((m) => m.content)].join('\n');
      const outputTokens = model.tokenize(text).length;
      if (outputTokens >= req.maxTokens) finish = 'length';
      session.dispose({ disposeSequence: false });
      return {
        provider: 'local',
        model: req.model,
        text: req.json ? normaliseJson(text, outputTokens, req.maxTokens) : text.trim(),
        usage: { inputTokens: model.tokenize(inputText).length, outputTokens, cachedInputTokens: 0 },
        finishReason: finish,
        cached: false,
      };
    } finally {
      // The sequence is freed asynchronously: the next queued call asks for one right after.
      if (!options.reusePrefix) await sequence.dispose();
    }
  }

  return {
    id: 'local',
    complete(req, callOptions) {
      const next = queue.then(() => run(req, callOptions?.signal));
      queue = next.catch(() => undefined);
      return next;
    },
    async dispose() {
      if (!loading) return;
      const { context, model } = await loading;
      await context.dispose();
      await model.dispose();
      loading = undefined;
      kept = undefined;
    },
  };
}
