import { z } from 'zod';
import { DomainSchema } from '../source.ts';
import { CountMethodSchema, TOKENIZER_IDS, TokenizerIdSchema } from '../tokenizer.ts';
import { contract, None } from './contract.ts';

const PerTokenizer = z.object({
  o200k: z.number().optional(),
  cl100k: z.number().optional(),
  claude: z.number().optional(),
  gemini: z.number().optional(),
});

export const TokenizerMethodSchema = z.object({ id: TokenizerIdSchema, method: CountMethodSchema });

export const StatsSchema = z.object({
  sources: z.number(),
  pairs: z.number(),
  labels: z.number(),
  verdicts: z.number(),
  tokenizers: z.array(TokenizerMethodSchema),
  byDomain: z.array(
    z.object({
      domain: DomainSchema,
      sources: z.number(),
      chars: z.number(),
      tokens: PerTokenizer,
      /** Sources whose count is known per tokenizer: all of them unless counting was skipped. */
      counted: PerTokenizer,
    }),
  ),
  byStrategy: z.array(
    z.object({
      strategy: z.string(),
      pairs: z.number(),
      tokenizer: z.string().nullable(),
      tokensOriginal: z.number(),
      tokensCompressed: z.number(),
      /** 1 - compressed/original over the pairs that have counts; null when none do. */
      reduction: z.number().nullable(),
    }),
  ),
});

/** The app shell: the project, its counts, and who is calling. */
export const projectContracts = {
  'project-info': contract(
    None,
    // A labeler sees the project's name, not where it lives on the server (dbPath is then '').
    z.object({ dir: z.string(), dbPath: z.string(), stats: StatsSchema }),
  ),
  'stats-get': contract(z.object({ tokenizers: z.array(TokenizerIdSchema).default([...TOKENIZER_IDS]) }), StatsSchema),
  whoami: contract(None, z.object({ role: z.enum(['owner', 'labeler']), name: z.string().nullable() })),
};
