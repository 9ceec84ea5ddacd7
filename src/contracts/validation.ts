import { z } from 'zod';

export const ValidationConfigSchema = z.object({
  thresholds: z.object({ taskEquivalence: z.number().min(0).max(1), transfer: z.number().min(0).max(1) }),
  probes: z.object({ perSource: z.number().int().min(1).max(50), maxTokens: z.number().int().positive() }),
  answer: z.object({ maxTokens: z.number().int().positive() }),
  judge: z.object({ maxTokens: z.number().int().positive(), f1Shortcut: z.number().min(0).max(1) }),
  concurrency: z.number().int().min(1).max(256),
  /** Sentence-embedding similarity (all-MiniLM-L6-v2, local): a cheap first signal and a tie-breaker. */
  similarity: z
    .object({
      enabled: z.boolean().default(true),
      /** Two answers at least this similar are equivalent without asking the judge. */
      equivalentAbove: z.number().min(0).max(1).default(0.97),
    })
    .prefault({}),
});
export type ValidationConfig = z.infer<typeof ValidationConfigSchema>;

export const ProbeKindSchema = z.enum(['qa', 'behaviour', 'signature', 'reconstruction']);
export type ProbeKind = z.infer<typeof ProbeKindSchema>;

export const ProbeSchema = z.object({
  id: z.number(),
  sourceId: z.number(),
  kind: ProbeKindSchema,
  question: z.string(),
  reference: z.string().nullable(),
  origin: z.string(),
  edited: z.boolean(),
});
export type Probe = z.infer<typeof ProbeSchema>;

export const OutcomeSchema = z.enum(['equivalent', 'different', 'judge-error']);
export type Outcome = z.infer<typeof OutcomeSchema>;
