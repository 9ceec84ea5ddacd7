import { z } from 'zod';
import { SourceQuerySchema, SourceSchema } from '../source.ts';
import { ProbeSchema } from '../validation.ts';
import { PairRowSchema } from '../view.ts';
import { contract, Id, RunStarted } from './contract.ts';

/** A source in the Library's list: its text cut to a preview. */
export const SourceRowSchema = SourceSchema.omit({ text: true }).extend({ preview: z.string() });

/** A pair on its source's page: the Pairs row without what the page already shows. */
export const SourcePairRowSchema = PairRowSchema.omit({ sourceId: true, title: true, domain: true, language: true });

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
