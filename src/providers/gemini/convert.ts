import type { GenerateContentParameters } from '@google/genai';
import type { CompletionRequest } from '../spec.ts';

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
