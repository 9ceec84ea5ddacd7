import { z } from 'zod';
import { SourceQuerySchema, SourceSchema } from '../source.ts';
import { ProbeSchema } from '../validation.ts';
import { contract, Id, RunStarted } from './contract.ts';

/** A source in the Library's list: its text cut to a preview. */
export const SourceRowSchema = SourceSchema.omit({ text: true }).extend({ preview: z.string() });

export const SourcePairRowSchema = z.object({
  id: z.number(),
  strategy: z.string(),
  model: z.string(),
  tokensOriginal: z.number().nullable(),
  tokensCompressed: z.number().nullable(),
  ratio: z.number().nullable(),
  equivalent: z.number(),
  different: z.number(),
  judgeErrors: z.number(),
  decisions: z.array(z.string()),
  preview: z.string(),
  createdAt: z.string(),
});

export const ImportArgsSchema = z.object({
  paths: z.array(z.string().min(1)).min(1),
  tags: z.array(z.string().min(1).max(100)).default([]),
  format: z.enum(['auto', 'jsonl', 'csv', 'tsv', 'json', 'text', 'folder']).default('auto'),
});

export const sourcesContracts = {
  'sources-list': contract(SourceQuerySchema, z.object({ rows: z.array(SourceRowSchema), total: z.number() })),
  'sources-detail': contract(
    Id,
    z.object({
      source: SourceSchema,
      tags: z.array(z.string()),
      probes: z.array(ProbeSchema),
      pairs: z.array(SourcePairRowSchema),
    }),
  ),
  'sources-get': contract(Id, SourceSchema),
  'sources-import': contract(ImportArgsSchema, RunStarted),
};
