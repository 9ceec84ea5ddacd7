import { z } from 'zod';
import { contract, Id, RunStarted } from './contract.ts';

export const RunKindSchema = z.enum(['import', 'generation', 'validation', 'training', 'export']);
export const RunStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const RunSchema = z.object({
  id: z.number(),
  kind: RunKindSchema,
  status: RunStatusSchema,
  config: z.record(z.string(), z.unknown()),
  total: z.number().nullable(),
  done: z.number(),
  summary: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  /** What the run is doing now, for long waits (a batch at the provider). */
  message: z.string().nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Money spent by the run's model calls; calls without a known price are counted apart. */
  spendUsd: z.number(),
  unpricedCalls: z.number(),
  budgetUsd: z.number().nullable(),
  /** Someone asked it to stop; it is still finishing its current call or step ("cancelling"). */
  cancelRequested: z.boolean(),
});

/** A run with whether "Resume" can succeed (and why not, for the button's tooltip). */
export const ListedRunSchema = RunSchema.extend({
  resume: z.object({ possible: z.boolean(), reason: z.string().optional() }),
});

export const runsContracts = {
  'runs-list': contract(z.object({ limit: z.number().int().min(1).max(500).default(100) }), z.array(ListedRunSchema)),
  'runs-get': contract(Id, RunSchema),
  'runs-cancel': contract(Id, z.object({ requested: z.boolean() })),
  // Jobs are idempotent (content-keyed rows, cached calls), so resuming is starting the same job
  // again: what was done is found done and costs nothing.
  'runs-resume': contract(Id, RunStarted),
};
