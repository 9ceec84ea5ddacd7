import { z } from 'zod';

/** nl: prose; chat: a dialogue or memory log (prose by turns); code; mixed: prose with code. */
export const DomainSchema = z.enum(['nl', 'chat', 'code', 'mixed']);
export type Domain = z.infer<typeof DomainSchema>;

export const SourceFormatSchema = z.enum([
  'text',
  'markdown',
  'code',
  'chat',
  'jsonl',
  'csv',
  'json',
  'locomo',
  'humaneval',
]);
export type SourceFormat = z.infer<typeof SourceFormatSchema>;

/** A source as the importers produce it, before it has an id. */
export const NewSourceSchema = z.object({
  text: z.string().min(1),
  domain: DomainSchema,
  language: z.string().nullable(),
  format: SourceFormatSchema,
  title: z.string().nullable(),
  originPath: z.string().nullable(),
  originRef: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
});
export type NewSource = z.infer<typeof NewSourceSchema>;

export const SourceSchema = NewSourceSchema.extend({
  text: z.string(),
  id: z.number(),
  hash: z.string(),
  chars: z.number(),
  createdAt: z.string(),
});
export type Source = z.infer<typeof SourceSchema>;

export const SourceQuerySchema = z.object({
  domain: DomainSchema.optional(),
  tag: z.string().optional(),
  search: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
  offset: z.number().int().min(0).default(0),
});
export type SourceQuery = z.input<typeof SourceQuerySchema>;
