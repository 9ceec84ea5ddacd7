import type OpenAI from 'openai';
import type { CompletionRequest } from '../spec.ts';

export function toChatParams(req: CompletionRequest): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  return {
    model: req.model,
    messages: [
      ...(req.system ? [{ role: 'system' as const, content: req.system }] : []),
      ...req.messages.map((m) => ({ role: m.role, content: m.content })),
    ],
    max_completion_tokens: req.maxTokens,
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    ...(req.json
      ? {
          response_format: {
            type: 'json_schema' as const,
            json_schema: { name: req.json.name, schema: req.json.schema, strict: true },
          },
        }
      : {}),
  };
}

export function toResponsesParams(req: CompletionRequest): OpenAI.Responses.ResponseCreateParamsNonStreaming {
  return {
    model: req.model,
    ...(req.system ? { instructions: req.system } : {}),
    input: req.messages.map((m) => ({ role: m.role, content: m.content })),
    max_output_tokens: req.maxTokens,
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    ...(req.json
      ? {
          text: {
            format: { type: 'json_schema' as const, name: req.json.name, schema: req.json.schema, strict: true },
          },
        }
      : {}),
  };
}
