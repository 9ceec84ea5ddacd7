import type { GenerateContentParameters, GenerateContentResponse } from '@google/genai';
import type { CompletionRequest, CompletionResponse } from '../spec.ts';
import { mapFinishReason } from './map-finish-reason.ts';

export function toGenerateParams(req: CompletionRequest): GenerateContentParameters {
  return {
    model: req.model,
    // Gemini calls the assistant "model".
    contents: req.messages.map((m) => ({
      role: m.role === 'assistant' ? 'model' : 'user',
      parts: [{ text: m.content }],
    })),
    config: {
      maxOutputTokens: req.maxTokens,
      ...(req.system ? { systemInstruction: req.system } : {}),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.json ? { responseMimeType: 'application/json', responseJsonSchema: req.json.schema } : {}),
    },
  };
}

/**
 * A generateContent answer as the one response shape. Reads the first candidate's parts rather
 * than the SDK's `text` getter: a batch's inlined responses are plain objects without it.
 */
export function fromGenerateContent(
  r: Pick<GenerateContentResponse, 'candidates' | 'usageMetadata' | 'modelVersion'>,
  requestedModel: string,
): CompletionResponse {
  const first = r.candidates?.[0];
  const text = (first?.content?.parts ?? [])
    .flatMap((p) => (typeof p.text === 'string' && !p.thought ? [p.text] : []))
    .join('');
  return {
    provider: 'gemini',
    model: r.modelVersion ?? requestedModel,
    text,
    usage: {
      inputTokens: r.usageMetadata?.promptTokenCount ?? 0,
      outputTokens: r.usageMetadata?.candidatesTokenCount ?? 0,
      cachedInputTokens: r.usageMetadata?.cachedContentTokenCount ?? 0,
    },
    finishReason: mapFinishReason(first?.finishReason),
    cached: false,
  };
}
