import Anthropic from '@anthropic-ai/sdk';
import type { ProviderSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { fromMessage, toMessageParams } from './convert.ts';

/** The SDK client: key and endpoint from the variables the settings name. */
export function createAnthropicClient(settings: ProviderSettings, env: Env): Anthropic {
  return new Anthropic({
    apiKey: env[settings.apiKeyEnv] ?? null,
    baseURL: env[settings.baseUrlEnv] ?? null,
    timeout: settings.timeoutMs,
    maxRetries: 0, // the retry middleware owns retries
  });
}

/** Claude through the Messages API. The client (and the key) is resolved at the first call. */
export function createAnthropicProvider(settings: ProviderSettings, env: Env = process.env): Provider {
  let client: Anthropic | undefined;
  return {
    id: 'anthropic',
    async complete(req, options = {}): Promise<CompletionResponse> {
      client ??= createAnthropicClient(settings, env);
      try {
        const message = await client.messages.create(toMessageParams(req), {
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return fromMessage(message, req.model);
      } catch (error) {
        throw toProviderError('anthropic', error, settings.apiKeyEnv);
      }
    },
  };
}
