import type Anthropic from '@anthropic-ai/sdk';
import type { CompletionRequest } from '../spec.ts';

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
