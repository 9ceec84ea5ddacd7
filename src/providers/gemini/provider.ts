import { GoogleGenAI } from '@google/genai';
import type { ProviderSettings } from '../../contracts/providers.ts';
import type { Env } from '../../util/env.ts';
import { toProviderError } from '../errors.ts';
import type { CompletionResponse, Provider } from '../spec.ts';
import { toGenerateParams } from './convert.ts';
import { mapFinishReason } from './map-finish-reason.ts';

/** Gemini through generateContent. The SDK's own GOOGLE_GEMINI_BASE_URL works too. */
export function createGeminiProvider(settings: ProviderSettings, env: Env = process.env): Provider {
  let client: GoogleGenAI | undefined;
  return {
    id: 'gemini',
    async complete(req, options = {}): Promise<CompletionResponse> {
      const baseUrl = env[settings.baseUrlEnv] ?? env.GOOGLE_GEMINI_BASE_URL;
      client ??= new GoogleGenAI({
        apiKey: env[settings.apiKeyEnv] ?? '',
        httpOptions: { timeout: settings.timeoutMs, ...(baseUrl ? { baseUrl } : {}) },
      });
      const params = toGenerateParams(req);
      if (options.signal) params.config = { ...params.config, abortSignal: options.signal };
      try {
        const r = await client.models.generateContent(params);
        return {
          provider: 'gemini',
          model: r.modelVersion ?? req.model,
          text: r.text ?? '',
          usage: {
            inputTokens: r.usageMetadata?.promptTokenCount ?? 0,
            outputTokens: r.usageMetadata?.candidatesTokenCount ?? 0,
            cachedInputTokens: r.usageMetadata?.cachedContentTokenCount ?? 0,
          },
          finishReason: mapFinishReason(r.candidates?.[0]?.finishReason),
          cached: false,
        };
      } catch (error) {
        throw toProviderError('gemini', error, settings.apiKeyEnv);
      }
    },
  };
}
