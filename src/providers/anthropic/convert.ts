import type Anthropic from '@anthropic-ai/sdk';
import type { CompletionRequest, CompletionResponse } from '../spec.ts';
import { mapStopReason } from './map-stop-reason.ts';

/**
 * Messages API parameters. Structured output goes through a forced tool whose input schema is the
 * wanted schema: the answer is the tool's input, which the API guarantees to be JSON.
 */
export function toMessageParams(req: CompletionRequest): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: req.model,
    max_tokens: req.maxTokens,
    ...(req.system ? { system: req.system } : {}),
    ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(req.json
      ? {
          tools: [
            {
              name: req.json.name,
              description: 'Give the answer in this shape.',
              input_schema: req.json.schema as Anthropic.Tool.InputSchema,
            },
          ],
          tool_choice: { type: 'tool' as const, name: req.json.name },
        }
      : {}),
  };
}

export function textOf(message: Anthropic.Message): string {
  const tool = message.content.find((c) => c.type === 'tool_use');
  if (tool && tool.type === 'tool_use') return JSON.stringify(tool.input);
  return message.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
}

/** A Message (live or from a batch's results) as the one response shape. */
export function fromMessage(message: Anthropic.Message, requestedModel: string): CompletionResponse {
  return {
    provider: 'anthropic',
    model: message.model ?? requestedModel,
    text: textOf(message),
    usage: {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cachedInputTokens: message.usage.cache_read_input_tokens ?? 0,
    },
    finishReason: mapStopReason(message.stop_reason),
    cached: false,
  };
}
