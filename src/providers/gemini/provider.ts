import { GoogleGenAI } from '@google/genai';
import type { ProviderSettings } from '../../contracts/providers.ts';
import { type Env, keyFrom } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { fromGenerateContent, toGenerateParams } from './convert.ts';

export function createGeminiClient(settings: ProviderSettings, env: Env): GoogleGenAI {
  const baseUrl = env[settings.baseUrlEnv] ?? env.GOOGLE_GEMINI_BASE_URL;
  return new GoogleGenAI({
    apiKey: keyFrom(env, settings.apiKeyEnv) ?? '',
    httpOptions: { timeout: settings.timeoutMs, ...(baseUrl ? { baseUrl } : {}) },
  });
}

/** Gemini through generateContent. The SDK's own GOOGLE_GEMINI_BASE_URL works too. */
export function createGeminiProvider(settings: ProviderSettings, env: Env = process.env): Provider {
  let client: GoogleGenAI | undefined;
  return {
    id: 'gemini',
    async complete(req, options = {}): Promise<CompletionResponse> {
      client ??= createGeminiClient(settings, env);
      const params = toGenerateParams(req);
      if (options.signal) params.config = { ...params.config, abortSignal: options.signal };
      try {
        return fromGenerateContent(await client.models.generateContent(params), req.model);
      } catch (error) {
        throw toProviderError('gemini', error, settings.apiKeyEnv);
      }
    },
  };
}
