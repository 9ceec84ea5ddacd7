import { z } from 'zod';

/** The tokenizers the app counts with: two exact OpenAI encodings, Claude's and Gemini's endpoints. */
export const TokenizerIdSchema = z.enum(['o200k', 'cl100k', 'claude', 'gemini']);
export type TokenizerId = z.infer<typeof TokenizerIdSchema>;
export const TOKENIZER_IDS = TokenizerIdSchema.options;

/** How a count was obtained: exact offline, the provider's endpoint, or an offline estimate. */
export const CountMethodSchema = z.enum(['exact', 'api', 'estimate']);
export type CountMethod = z.infer<typeof CountMethodSchema>;
