import type OpenAI from 'openai';
import type { CompletionRequest, CompletionResponse } from '../spec.ts';
import { mapFinishReason } from './map-finish-reason.ts';

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

/** A chat completion (live or a line of a batch's output file) as the one response shape. */
export function fromChatCompletion(c: OpenAI.Chat.ChatCompletion, requestedModel: string): CompletionResponse {
  const choice = c.choices[0];
  return {
    provider: 'openai',
    model: c.model ?? requestedModel,
    text: choice?.message.content ?? '',
    usage: {
      inputTokens: c.usage?.prompt_tokens ?? 0,
      outputTokens: c.usage?.completion_tokens ?? 0,
      cachedInputTokens: c.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
    finishReason: mapFinishReason(choice?.finish_reason),
    cached: false,
  };
}

/** The text of a Responses API answer, read from its output items (batch lines carry no output_text). */
function outputText(r: OpenAI.Responses.Response): string {
  if (typeof r.output_text === 'string') return r.output_text;
  return (r.output ?? [])
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .flatMap((c) => (c.type === 'output_text' ? [c.text] : []))
    .join('');
}

export function fromResponse(r: OpenAI.Responses.Response, requestedModel: string): CompletionResponse {
  return {
    provider: 'openai',
    model: r.model ?? requestedModel,
    text: outputText(r),
    usage: {
      inputTokens: r.usage?.input_tokens ?? 0,
      outputTokens: r.usage?.output_tokens ?? 0,
      cachedInputTokens: r.usage?.input_tokens_details?.cached_tokens ?? 0,
    },
    finishReason: r.status === 'incomplete' ? mapFinishReason(r.incomplete_details?.reason) : 'stop',
    cached: false,
  };
}
