import { z } from 'zod';
import { DomainSchema } from '../source.ts';
import { PairViewQuerySchema } from '../view.ts';
import { contract, None, RunStarted } from './contract.ts';

export const GenerateStrategySchema = z.enum(['rules', 'prompted', 'pruned']);
const Ratios = z.array(z.number().gt(0).lt(1)).max(10).default([0.5]);

export const GenerateArgsSchema = z.object({
  strategy: GenerateStrategySchema,
  ratios: Ratios,
  /** prompted: provider/model (default: the configured generator); pruned: a GGUF path. */
  model: z.string().min(1).optional(),
  threshold: z.number().optional(),
  question: z.string().min(1).optional(),
  protect: z.array(z.string().min(1)).optional(),
  domain: DomainSchema.optional(),
  tag: z.string().optional(),
  query: z.string().optional(),
  sourceIds: z.array(z.number().int().positive()).optional(),
  budgetUsd: z.number().positive().optional(),
  batch: z.boolean().optional(),
  /** Validate the candidates and keep the shortest passing one per source (validators as refs). */
  validate: z.boolean().optional(),
  validators: z.array(z.string().min(3)).optional(),
});

export const RulesArgsSchema = z.object({
  domain: DomainSchema.optional(),
  tag: z.string().optional(),
  sourceIds: z.array(z.number().int().positive()).optional(),
});

export const GgufChoiceSchema = z.object({
  path: z.string(),
  name: z.string(),
  /** Where the app knows it from. */
  origin: z.enum(['pruner (configs/inference.yaml)', 'project model', 'used by an earlier run']),
  exists: z.boolean(),
  bytes: z.number().nullable(),
});

export const GenerateEstimateSchema = z.object({
  strategy: GenerateStrategySchema,
  sources: z.number(),
  /** The selected source ids (a Pairs view's sources), to start the job with exactly these. */
  sourceIds: z.array(z.number()),
  /** o200k tokens of the selected originals (exact for up to 2,000 sources, then extrapolated). */
  tokens: z.number(),
  tokensExact: z.boolean(),
  candidates: z.number(),
  /** Selected sources whose candidates are all stored: the job skips them (not in candidates, calls, cost, time). */
  stored: z.number(),
  calls: z.number(),
  /** US dollars from configs/pricing.yaml; null when the model has no price there. */
  costUsd: z.number().nullable(),
  seconds: z.number(),
  /** What `seconds` was reckoned from: a speed and where it comes from. */
  secondsBasis: z.string(),
  /** Whether the job can start now, and if not why (a missing key, no GGUF file). */
  canRun: z.object({ ok: z.boolean(), reason: z.string().optional(), missingKeys: z.array(z.string()).optional() }),
  model: z.string().nullable(),
});

export const generationContracts = {
  'jobs-generate': contract(GenerateArgsSchema, RunStarted),
  'jobs-rules': contract(RulesArgsSchema, RunStarted),
  'generate-options': contract(
    None,
    z.object({
      strategy: GenerateStrategySchema,
      generator: z.string(),
      generatorKeyMissing: z.string().nullable(),
      pruner: z.string().nullable(),
      ggufs: z.array(GgufChoiceSchema),
      tags: z.array(z.string()),
    }),
  ),
  'generate-estimate': contract(
    z.object({
      strategy: GenerateStrategySchema,
      ratios: Ratios,
      model: z.string().min(1).optional(),
      domain: DomainSchema.optional(),
      tag: z.string().optional(),
      query: z.string().optional(),
      sourceIds: z.array(z.number().int().positive()).optional(),
      pairQuery: PairViewQuerySchema.optional(),
    }),
    GenerateEstimateSchema,
  ),
};
