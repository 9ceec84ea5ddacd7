import type { CompletionRequest, CompletionResponse } from '../spec.ts';

/**
 * A provider's batch endpoint (Anthropic Message Batches, OpenAI Batch, Gemini batch mode): many
 * requests submitted at once, answered within hours at a discount. Each request is named by its
 * response-cache key, so a result lands in the cache exactly where a live call would have put it.
 */
export type BatchProviderId = 'anthropic' | 'openai' | 'gemini';

export interface BatchItem {
  key: string;
  request: CompletionRequest;
}

export type BatchState = 'running' | 'ended' | 'failed' | 'expired' | 'cancelled';

export interface BatchStatus {
  state: BatchState;
  /** Requests finished so far (answered or failed), of `total`. */
  done: number;
  total: number;
  /** Why the whole batch failed, when it did. */
  error?: string;
}

export type BatchResult =
  | { key: string; outcome: 'succeeded'; response: CompletionResponse }
  | { key: string; outcome: 'errored' | 'expired' | 'cancelled'; error: string };

export interface BatchApi {
  readonly provider: BatchProviderId;
  /** Submits one batch (all items for the same model) and returns the provider's batch id. */
  submit(items: readonly BatchItem[], signal?: AbortSignal): Promise<string>;
  status(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** The results of a batch that is no longer running; `models` maps each key to its requested model. */
  results(batchId: string, models: ReadonlyMap<string, string>, signal?: AbortSignal): Promise<BatchResult[]>;
  cancel(batchId: string): Promise<void>;
}
