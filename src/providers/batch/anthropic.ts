import type Anthropic from '@anthropic-ai/sdk';
import type { ProviderSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { fromMessage, toMessageParams } from '../anthropic/convert.ts';
import { createAnthropicClient } from '../anthropic/provider.ts';
import { toProviderError } from '../errors.ts';
import type { BatchApi, BatchResult, BatchStatus } from './spec.ts';

/** Message Batches: custom ids are the cache keys (64 hex characters, the API's limit). */
export function createAnthropicBatchApi(settings: ProviderSettings, env: Env): BatchApi {
  let client: Anthropic | undefined;
  const sdk = () => {
    client ??= createAnthropicClient(settings, env);
    return client;
  };
  const wrap = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toProviderError('anthropic', error, settings.apiKeyEnv);
    }
  };
  return {
    provider: 'anthropic',
    submit: (items, signal) =>
      wrap(async () => {
        const batch = await sdk().messages.batches.create(
          { requests: items.map((i) => ({ custom_id: i.key, params: toMessageParams(i.request) })) },
          signal ? { signal } : {},
        );
        return batch.id;
      }),
    status: (id, signal) =>
      wrap(async (): Promise<BatchStatus> => {
        const b = await sdk().messages.batches.retrieve(id, {}, signal ? { signal } : {});
        const c = b.request_counts;
        const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
        return { state: b.processing_status === 'ended' ? 'ended' : 'running', done: total - c.processing, total };
      }),
    results: (id, models, signal) =>
      wrap(async () => {
        const out: BatchResult[] = [];
        const stream = await sdk().messages.batches.results(id, {}, signal ? { signal } : {});
        for await (const line of stream) {
          const r = line.result;
          if (r.type === 'succeeded')
            out.push({
              key: line.custom_id,
              outcome: 'succeeded',
              response: fromMessage(r.message, models.get(line.custom_id) ?? r.message.model),
            });
          else if (r.type === 'errored')
            out.push({
              key: line.custom_id,
              outcome: 'errored',
              error: `${r.error.error.type}: ${r.error.error.message}`,
            });
          else if (r.type === 'expired')
            out.push({ key: line.custom_id, outcome: 'expired', error: 'the batch expired before this request ran' });
          else out.push({ key: line.custom_id, outcome: 'cancelled', error: 'the batch was cancelled' });
        }
        return out;
      }),
    cancel: (id) =>
      wrap(async () => {
        await sdk().messages.batches.cancel(id);
      }),
  };
}
