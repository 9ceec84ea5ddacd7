import type Anthropic from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai';
import type { RemoteTokenizerConfig } from '../contracts/config.ts';
import { ProviderCallError } from '../errors/index.ts';
import { type Env, keyFrom } from '../util/env.ts';

export type { Env };

export function hasKey(config: RemoteTokenizerConfig, env: Env): boolean {
  return Boolean(keyFrom(env, config.apiKeyEnv));
}

function wrap(provider: string, error: unknown): ProviderCallError {
  const status =
    error && typeof error === 'object' && 'status' in error && typeof error.status === 'number'
      ? error.status
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderCallError(`${provider} count-tokens failed: ${message}`, {
    ...(status === undefined ? {} : { status }),
    retryable: status === undefined || status === 429 || status >= 500,
    cause: error,
  });
}

/**
 * Claude's count_tokens endpoint counts a whole request, which wraps the text in message framing.
 * The framing is measured once per model with a one-character message and subtracted, so the
 * number is the text's own tokens.
 */
export function createAnthropicCounter(config: RemoteTokenizerConfig, env: Env) {
  let client: Anthropic | undefined;
  let framing: Promise<number> | undefined;
  const raw = async (text: string): Promise<number> => {
    // The SDK loads at the first count, not at import: `studio compress` never needs it.
    client ??= new (await import('@anthropic-ai/sdk')).default({
      apiKey: keyFrom(env, config.apiKeyEnv) ?? null,
      baseURL: env[config.baseUrlEnv] ?? null,
      maxRetries: 2,
    });
    try {
      const res = await client.messages.countTokens({
        model: config.model,
        messages: [{ role: 'user', content: text }],
      });
      if (typeof res.input_tokens !== 'number') throw new Error('the response has no input_tokens');
      return res.input_tokens;
    } catch (error) {
      throw wrap('Anthropic', error);
    }
  };
  return async (text: string): Promise<number> => {
    if (!text) return 0;
    framing ??= raw('.').then((n) => n - 1);
    const [total, overhead] = await Promise.all([raw(text), framing]);
    return Math.max(0, total - overhead);
  };
}

/** Gemini's countTokens counts plain contents with no framing. */
export function createGeminiCounter(config: RemoteTokenizerConfig, env: Env) {
  let client: GoogleGenAI | undefined;
  return async (text: string): Promise<number> => {
    if (!text) return 0;
    const baseUrl = env[config.baseUrlEnv] ?? env.GOOGLE_GEMINI_BASE_URL;
    client ??= new (await import('@google/genai')).GoogleGenAI({
      apiKey: keyFrom(env, config.apiKeyEnv) ?? '',
      ...(baseUrl ? { httpOptions: { baseUrl } } : {}),
    });
    try {
      const res = await client.models.countTokens({ model: config.model, contents: text });
      if (typeof res.totalTokens !== 'number') {
        throw new Error('the response has no totalTokens');
      }
      return res.totalTokens;
    } catch (error) {
      throw wrap('Gemini', error);
    }
  };
}
