import { z } from 'zod';
import { DomainSchema } from '../source.ts';
import { CountMethodSchema, TokenizerIdSchema } from '../tokenizer.ts';
import { ExportFormatSchema, PairDetailSchema, PairPageSchema, PairViewQuerySchema } from '../view.ts';
import { contract, Id, None } from './contract.ts';

export const ExportedViewSchema = z.object({
  filename: z.string(),
  mime: z.string(),
  content: z.string(),
  rows: z.number(),
});

/** The rules compressor on one text (the Compress page), with counts per tokenizer. */
export const CompressReportSchema = z.object({
  original: z.string(),
  compressed: z.string(),
  domain: DomainSchema,
  language: z.string().nullable(),
  strategy: z.literal('rules'),
  verified: z.enum(['json', 'ast', 'none', 'n/a']),
  stats: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
  tokens: z.array(
    z.object({
      tokenizer: TokenizerIdSchema,
      method: CountMethodSchema,
      before: z.number(),
      after: z.number(),
      reduction: z.number(),
    }),
  ),
  ms: z.number(),
});

export const pairsContracts = {
  // One page of a view. A search's `total` may be a lower bound (`totalExact: false`, "10,000+"):
  // its count stops past the page; `exactTotal: true` asks for every match to be counted.
  'pairs-list': contract(PairViewQuerySchema, PairPageSchema),
  'pairs-facets': contract(None, z.object({ strategies: z.array(z.string()), models: z.array(z.string()) })),
  'pairs-get': contract(Id, PairDetailSchema),
  'pairs-export': contract(
    z.object({ query: PairViewQuerySchema.prefault({}), format: ExportFormatSchema }),
    ExportedViewSchema,
  ),
  // Live counts for an edit in progress (the renderer cannot load tokenizers itself).
  'tokens-count': contract(
    z.object({
      text: z.string().max(5_000_000),
      domain: DomainSchema.optional(),
      tokenizers: z.array(TokenizerIdSchema).min(1).default(['o200k']),
    }),
    z.array(z.object({ tokenizer: TokenizerIdSchema, count: z.number(), method: CountMethodSchema })),
  ),
  'compress-try': contract(
    z.object({ text: z.string().min(1).max(5_000_000), domain: DomainSchema.optional() }),
    CompressReportSchema,
  ),
};
