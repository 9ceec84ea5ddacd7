import Anthropic from '@anthropic-ai/sdk';
import type { ProviderSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { textOf, toMessageParams } from './convert.ts';
import { mapStopReason } from './map-stop-reason.ts';

/** Claude through the Messages API. The client (and the key) is resolved at the first call. */
export function createAnthropicProvider(settings: ProviderSettings, env: Env = process.env): Provider {
  let client: Anthropic | undefined;
  return {
    id: 'anthropic',
    async complete(req, options = {}): Promise<CompletionResponse> {
      client ??= new Anthropic({
        apiKey: env[settings.apiKeyEnv] ?? null,
        baseURL: env[settings.baseUrlEnv] ?? null,
        timeout: settings.timeoutMs,
        maxRetries: 0, // the retry middleware owns retries
      });
      try {
        const message = await client.messages.create(toMessageParams(req), {
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return {
          provider: 'anthropic',
          model: message.model ?? req.model,
          text: textOf(message),
          usage: {
            inputTokens: message.usage.input_tokens,
            outputTokens: message.usage.output_tokens,
            cachedInputTokens: message.usage.cache_read_input_tokens ?? 0,
          },
          finishReason: mapStopReason(message.stop_reason),
          cached: false,
        };
      } catch (error) {
        throw toProviderError('anthropic', error, settings.apiKeyEnv);
      }
    },
  };
}
