import OpenAI from 'openai';
import type { OpenAiSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { toChatParams, toResponsesParams } from './convert.ts';
import { mapFinishReason } from './map-finish-reason.ts';

/** GPT models (or any OpenAI-compatible server) through Chat Completions or the Responses API. */
export function createOpenAiProvider(settings: OpenAiSettings, env: Env = process.env): Provider {
  let client: OpenAI | undefined;
  return {
    id: 'openai',
    async complete(req, options = {}): Promise<CompletionResponse> {
      client ??= new OpenAI({
        apiKey: env[settings.apiKeyEnv] ?? '',
        baseURL: env[settings.baseUrlEnv] ?? null,
        timeout: settings.timeoutMs,
        maxRetries: 0,
      });
      const signal = options.signal ? { signal: options.signal } : {};
      try {
        if (settings.api === 'responses') {
          const r = await client.responses.create(toResponsesParams(req), signal);
          return {
            provider: 'openai',
            model: r.model ?? req.model,
            text: r.output_text ?? '',
            usage: {
              inputTokens: r.usage?.input_tokens ?? 0,
              outputTokens: r.usage?.output_tokens ?? 0,
              cachedInputTokens: r.usage?.input_tokens_details?.cached_tokens ?? 0,
            },
            finishReason: r.status === 'incomplete' ? mapFinishReason(r.incomplete_details?.reason) : 'stop',
            cached: false,
          };
        }
        const c = await client.chat.completions.create(toChatParams(req), signal);
        const choice = c.choices[0];
        return {
          provider: 'openai',
          model: c.model ?? req.model,
          text: choice?.message.content ?? '',
          usage: {
            inputTokens: c.usage?.prompt_tokens ?? 0,
            outputTokens: c.usage?.completion_tokens ?? 0,
            cachedInputTokens: c.usage?.prompt_tokens_details?.cached_tokens ?? 0,
          },
          finishReason: mapFinishReason(choice?.finish_reason),
          cached: false,
        };
      } catch (error) {
        throw toProviderError('openai', error, settings.apiKeyEnv);
      }
    },
  };
}
