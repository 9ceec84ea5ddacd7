import OpenAI from 'openai';
import type { OpenAiSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { fromChatCompletion, fromResponse, toChatParams, toResponsesParams } from './convert.ts';

export function createOpenAiClient(settings: OpenAiSettings, env: Env): OpenAI {
  return new OpenAI({
    apiKey: env[settings.apiKeyEnv] ?? '',
    baseURL: env[settings.baseUrlEnv] ?? null,
    timeout: settings.timeoutMs,
    maxRetries: 0, // the retry middleware owns retries
  });
}

/** GPT models (or any OpenAI-compatible server) through Chat Completions or the Responses API. */
export function createOpenAiProvider(settings: OpenAiSettings, env: Env = process.env): Provider {
  let client: OpenAI | undefined;
  return {
    id: 'openai',
    async complete(req, options = {}): Promise<CompletionResponse> {
      client ??= createOpenAiClient(settings, env);
      const signal = options.signal ? { signal: options.signal } : {};
      try {
        if (settings.api === 'responses') {
          return fromResponse(await client.responses.create(toResponsesParams(req), signal), req.model);
        }
        return fromChatCompletion(await client.chat.completions.create(toChatParams(req), signal), req.model);
      } catch (error) {
        throw toProviderError('openai', error, settings.apiKeyEnv);
      }
    },
  };
}
