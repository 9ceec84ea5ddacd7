import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { OpenAiSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import { fromChatCompletion, fromResponse, toChatParams, toResponsesParams } from '../openai/convert.ts';
import { createOpenAiClient } from '../openai/provider.ts';
import type { BatchApi, BatchResult, BatchStatus } from './spec.ts';

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
}

/**
 * The Batch API: the requests go up as a JSONL file (purpose "batch"), to the same endpoint the
 * live calls use (Chat Completions or Responses); answers come back as output and error files.
 */
export function createOpenAiBatchApi(settings: OpenAiSettings, env: Env): BatchApi {
  let client: OpenAI | undefined;
  const sdk = () => {
    client ??= createOpenAiClient(settings, env);
    return client;
  };
  const endpoint = settings.api === 'responses' ? '/v1/responses' : '/v1/chat/completions';
  const wrap = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toProviderError('openai', error, settings.apiKeyEnv);
    }
  };
  const lines = async (fileId: string, signal?: AbortSignal): Promise<OutputLine[]> => {
    const body = await (await sdk().files.content(fileId, signal ? { signal } : {})).text();
    return body
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as OutputLine];
        } catch {
          return []; // a line that does not parse is reported below as a missing result
        }
      });
  };
  return {
    provider: 'openai',
    submit: (items, signal) =>
      wrap(async () => {
        const jsonl = items
          .map((i) =>
            JSON.stringify({
              custom_id: i.key,
              method: 'POST',
              url: endpoint,
              body: settings.api === 'responses' ? toResponsesParams(i.request) : toChatParams(i.request),
            }),
          )
          .join('\n');
        const opts = signal ? { signal } : {};
        const file = await sdk().files.create(
          { file: await toFile(Buffer.from(`${jsonl}\n`), 'studio-batch.jsonl'), purpose: 'batch' },
          opts,
        );
        const batch = await sdk().batches.create({ input_file_id: file.id, endpoint, completion_window: '24h' }, opts);
        return batch.id;
      }),
    status: (id, signal) =>
      wrap(async (): Promise<BatchStatus> => {
        const b = await sdk().batches.retrieve(id, signal ? { signal } : {});
        const c = b.request_counts ?? { total: 0, completed: 0, failed: 0 };
        const state: BatchStatus['state'] =
          b.status === 'completed'
            ? 'ended'
            : b.status === 'failed'
              ? 'failed'
              : b.status === 'expired'
                ? 'expired'
                : b.status === 'cancelled'
                  ? 'cancelled'
                  : 'running';
        const error = b.errors?.data
          ?.map((e) => e.message)
          .filter(Boolean)
          .join('; ');
        return { state, done: c.completed + c.failed, total: c.total, ...(error ? { error } : {}) };
      }),
    results: (id, models, signal) =>
      wrap(async () => {
        const b = await sdk().batches.retrieve(id, signal ? { signal } : {});
        const all = [
          ...(b.output_file_id ? await lines(b.output_file_id, signal) : []),
          ...(b.error_file_id ? await lines(b.error_file_id, signal) : []),
        ];
        const out: BatchResult[] = [];
        for (const line of all) {
          if (typeof line.custom_id !== 'string') continue;
          const key = line.custom_id;
          const status = typeof line.response?.status_code === 'number' ? line.response.status_code : 0;
          if (status === 200 && line.response?.body && typeof line.response.body === 'object') {
            const model = models.get(key) ?? '';
            const response =
              settings.api === 'responses'
                ? fromResponse(line.response.body as OpenAI.Responses.Response, model)
                : fromChatCompletion(line.response.body as OpenAI.Chat.ChatCompletion, model);
            out.push({ key, outcome: 'succeeded', response });
            continue;
          }
          const bodyError = (line.response?.body as { error?: { message?: unknown } } | undefined)?.error?.message;
          const message =
            typeof bodyError === 'string'
              ? bodyError
              : typeof line.error?.message === 'string'
                ? line.error.message
                : `status ${status}`;
          const expired = line.error?.code === 'batch_expired';
          out.push({
            key,
            outcome: expired ? 'expired' : b.status === 'cancelled' ? 'cancelled' : 'errored',
            error: status ? `${status}: ${message}` : message,
          });
        }
        return out;
      }),
    cancel: (id) =>
      wrap(async () => {
        await sdk().batches.cancel(id);
      }),
  };
}
