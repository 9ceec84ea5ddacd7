/**
 * The one provider contract. Every adapter (Anthropic, OpenAI, Gemini, local) turns this request
 * into its SDK's call and its SDK's answer into this response; middleware wraps any of them.
 */
export type ProviderId = 'anthropic' | 'openai' | 'gemini' | 'local';

export interface Message {
  role: 'user' | 'assistant';
  content: string;
}

export interface JsonSchemaOutput {
  name: string;
  schema: Record<string, unknown>;
}

export interface CompletionRequest {
  model: string;
  system?: string;
  messages: Message[];
  maxTokens: number;
  temperature?: number;
  /** Structured output: the answer is JSON matching this schema (text holds the JSON). */
  json?: JsonSchemaOutput;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool' | 'other';

export interface CompletionResponse {
  provider: ProviderId;
  model: string;
  text: string;
  usage: Usage;
  finishReason: FinishReason;
  /** True when the answer came from the response cache (no call was made). */
  cached: boolean;
  /** Price of this call in US dollars; null when the model's price is unknown. */
  costUsd?: number | null;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The run this call belongs to, for the cost log and budgets. */
  runId?: number;
  /** What the call is for (probe, answer, judge, generate), for the cost log. */
  purpose?: string;
}

export interface Provider {
  readonly id: ProviderId;
  complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
}

/** Middleware turns a provider into a provider with one more behaviour (cache, retry, ...). */
export type Middleware = (next: Provider) => Provider;

export function wrapProvider(provider: Provider, middleware: readonly Middleware[]): Provider {
  // The first middleware is the outermost: wrapProvider(p, [cache, retry]) checks the cache first.
  return [...middleware].reverse().reduce((p, m) => m(p), provider);
}
