import { z } from 'zod';
import { ProbeSchema } from '../validation.ts';
import { PairViewQuerySchema } from '../view.ts';
import { contract, RunStarted } from './contract.ts';

export const ValidateArgsSchema = z.object({
  /** The pairs to validate: these ids, or else every pair of the view. */
  query: PairViewQuerySchema.prefault({}),
  pairIds: z.array(z.number().int().positive()).optional(),
  models: z.array(z.string().min(3)).optional(),
  judge: z.string().optional(),
  prober: z.string().optional(),
  budgetUsd: z.number().positive().optional(),
  /** Through the providers' batch endpoints (cheaper, slower). */
  batch: z.boolean().optional(),
});

export const validationContracts = {
  'jobs-validate': contract(ValidateArgsSchema, RunStarted),
  'probes-update': contract(
    z.object({
      id: z.number().int().positive(),
      question: z.string().trim().min(3).max(2000).optional(),
      reference: z.string().max(2000).nullable().optional(),
    }),
    ProbeSchema,
  ),
};
