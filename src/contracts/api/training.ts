import { z } from 'zod';
import { TrainingConfigSchema, TrainingEventSchema } from '../training.ts';
import { contract, None, RunStarted } from './contract.ts';
import { ListedRunSchema } from './runs.ts';

export const TrainArgsSchema = z.object({
  runner: z.enum(['local', 'tinker', 'classifier']),
  /** classifier: also learn from unlabelled candidates of these strategies. */
  strategies: z.array(z.enum(['pruned', 'prompted', 'classified'])).optional(),
  /** classifier: label the prose and dialogue sources with pruned (the configured pruner) first. */
  distil: z.object({ ratios: z.array(z.number().gt(0).lt(1)).min(1) }).optional(),
  overrides: z.record(z.string(), z.unknown()).optional(),
  resumeRunId: z.number().int().positive().optional(),
  /** The pre-flight's warnings (a tiny or barely compressed set, hours on a CPU) were shown and accepted. */
  confirmed: z.boolean().optional(),
});

const SplitSchema = z.object({
  examples: z.number(),
  sources: z.number(),
  tokensOriginal: z.number(),
  tokensCompressed: z.number(),
});

export const TrainingPreflightSchema = z.object({
  runner: z.enum(['local', 'tinker']),
  platform: z.string(),
  backend: z.string(),
  baseModel: z.string(),
  /** Expected training speed, measured by an earlier run on this machine where there was one. */
  speed: z.object({ tokensPerSec: z.number(), measured: z.boolean(), etaSeconds: z.number().nullable() }).nullable(),
  activeRunId: z.number().nullable(),
  dataset: z
    .object({
      splits: z.object({ train: SplitSchema, valid: SplitSchema, test: SplitSchema }),
      pairsConsidered: z.number(),
      duplicatesRemoved: z.number(),
      /** Compressed over original o200k tokens, all splits together (1 = nothing removed). */
      meanKept: z.number().nullable(),
      warnings: z.array(z.string()),
    })
    .nullable(),
  checks: z.array(
    z.object({
      id: z.enum(['active-run', 'platform', 'trainer', 'base-model', 'key', 'dataset-size', 'compression', 'dataset']),
      level: z.enum(['ok', 'info', 'warn', 'error']),
      message: z.string(),
    }),
  ),
  /** No error: a run can start (after the warnings are confirmed once). */
  canStart: z.boolean(),
  missingKey: z.string().nullable(),
});

export const trainingContracts = {
  'jobs-train': contract(TrainArgsSchema, RunStarted),
  'training-preflight': contract(
    z.object({
      runner: z.enum(['local', 'tinker']),
      overrides: z.record(z.string(), z.unknown()).optional(),
    }),
    TrainingPreflightSchema,
  ),
  'training-events': contract(
    z.object({ runId: z.number().int().positive(), afterSeq: z.number().int().min(0).default(0) }),
    z.array(z.intersection(TrainingEventSchema, z.object({ seq: z.number() }))),
  ),
  'training-info': contract(
    None,
    z.object({ config: TrainingConfigSchema, approvedPairs: z.number(), runs: z.array(ListedRunSchema) }),
  ),
};
