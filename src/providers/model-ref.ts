import { type ModelRef, ModelRefSchema } from '../contracts/providers.ts';
import { InputError } from '../errors/index.ts';

/** "openai/gpt-4.1", "anthropic/claude-sonnet-4-5", "local/models/smollm2.gguf" (a GGUF path). */
export function parseModelRef(text: string): ModelRef {
  const slash = text.indexOf('/');
  const parsed = ModelRefSchema.safeParse(
    slash > 0 ? { provider: text.slice(0, slash), model: text.slice(slash + 1) } : {},
  );
  if (!parsed.success) {
    throw new InputError(
      `"${text}" is not a model: write provider/model, e.g. openai/gpt-4.1 or local/path/to/model.gguf (providers: anthropic, openai, gemini, local)`,
    );
  }
  return parsed.data;
}

/** How a model is named in verdicts and tables; a local GGUF by its file name. */
export const modelName = (ref: ModelRef) =>
  `${ref.provider}/${ref.provider === 'local' ? (ref.model.split('/').pop() ?? ref.model) : ref.model}`;
