import type { GoogleGenAI, InlinedRequest } from '@google/genai';
import type { ProviderSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import { fromGenerateContent, toGenerateParams } from '../gemini/convert.ts';
import { createGeminiClient } from '../gemini/provider.ts';
import type { BatchApi, BatchResult, BatchStatus } from './spec.ts';

/**
 * Gemini batch mode with inlined requests: one model per batch; each request carries its cache
 * key as metadata, and the inlined responses come back in request order with that metadata.
 */
export function createGeminiBatchApi(settings: ProviderSettings, env: Env): BatchApi {
  let client: GoogleGenAI | undefined;
  const sdk = () => {
    client ??= createGeminiClient(settings, env);
    return client;
  };
  const wrap = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toProviderError('gemini', error, settings.apiKeyEnv);
    }
  };
  const stateOf = (s: string | undefined): BatchStatus['state'] =>
    s === 'JOB_STATE_SUCCEEDED'
      ? 'ended'
      : s === 'JOB_STATE_FAILED'
        ? 'failed'
        : s === 'JOB_STATE_CANCELLED'
          ? 'cancelled'
          : s === 'JOB_STATE_EXPIRED'
            ? 'expired'
            : 'running';
  return {
    provider: 'gemini',
    submit: (items, signal) =>
      wrap(async () => {
        const model = items[0]?.request.model;
        if (!model || items.some((i) => i.request.model !== model))
          throw new Error('a Gemini batch holds requests for one model');
        const src: InlinedRequest[] = items.map((i) => {
          const p = toGenerateParams(i.request);
          return { contents: p.contents, ...(p.config ? { config: p.config } : {}), metadata: { key: i.key } };
        });
        const job = await sdk().batches.create({
          model,
          src,
          config: { displayName: 'compression-studio', ...(signal ? { abortSignal: signal } : {}) },
        });
        if (!job.name) throw new Error('the batch was created without a name');
        return job.name;
      }),
    status: (id, signal) =>
      wrap(async (): Promise<BatchStatus> => {
        const job = await sdk().batches.get({ name: id, ...(signal ? { config: { abortSignal: signal } } : {}) });
        // The SDK does not surface Gemini's per-request counts while a batch runs: the runner
        // knows how many it submitted, so it reports 0 done until the job ends.
        const state = stateOf(job.state);
        const total = job.dest?.inlinedResponses?.length ?? 0;
        return { state, done: total, total, ...(job.error?.message ? { error: job.error.message } : {}) };
      }),
    results: (id, models, signal) =>
      wrap(async () => {
        const job = await sdk().batches.get({ name: id, ...(signal ? { config: { abortSignal: signal } } : {}) });
        const out: BatchResult[] = [];
        for (const r of job.dest?.inlinedResponses ?? []) {
          const key = r.metadata?.key;
          if (typeof key !== 'string') continue;
          if (r.response)
            out.push({ key, outcome: 'succeeded', response: fromGenerateContent(r.response, models.get(key) ?? '') });
          else out.push({ key, outcome: 'errored', error: r.error?.message ?? 'no response' });
        }
        return out;
      }),
    cancel: (id) =>
      wrap(async () => {
        await sdk().batches.cancel({ name: id });
      }),
  };
}
