import { z } from 'zod';

/**
 * Training: the config (configs/training.yaml, overridable per run) and the events both trainers
 * (MLX locally, Tinker in the cloud) print as JSON lines on stdout, one object per line. The Node
 * side parses every line with TrainingEventSchema; anything else on stdout is a protocol error.
 */
export const LoraSchema = z.object({
  rank: z.number().int().min(1).max(256).default(8),
  /** Transformer layers that get adapters, counted from the top (-1: all). */
  layers: z.number().int().min(-1).default(16),
  scale: z.number().positive().default(20),
  dropout: z.number().min(0).max(1).default(0),
});

export const LocalTrainingSchema = z.object({
  /** A Hugging Face repo id (fetched by mlx-lm where there is internet) or a local model folder. */
  baseModel: z.string().min(1).default('mlx-community/Qwen3-4B-Instruct-2507-4bit'),
  lora: LoraSchema.prefault({}),
  iters: z.number().int().min(1).default(600),
  batchSize: z.number().int().min(1).default(4),
  learningRate: z.number().positive().default(1e-5),
  maxSeqLength: z.number().int().min(16).default(2048),
  seed: z.number().int().default(0),
  stepsPerReport: z.number().int().min(1).default(10),
  stepsPerEval: z.number().int().min(1).default(100),
  valBatches: z.number().int().min(-1).default(25),
  saveEvery: z.number().int().min(1).default(100),
  gradCheckpoint: z.boolean().default(false),
});
export type LocalTrainingConfig = z.infer<typeof LocalTrainingSchema>;

export const TinkerTrainingSchema = z.object({
  /** Empty: the first of the server's supported models that matches `preferModels`. */
  baseModel: z.string().default(''),
  preferModels: z.array(z.string()).default(['Qwen/Qwen3-8B']),
  loraRank: z.number().int().min(1).max(256).default(32),
  learningRate: z.number().positive().default(1e-4),
  batchSize: z.number().int().min(1).default(32),
  epochs: z.number().int().min(1).default(1),
  maxLength: z.number().int().min(16).default(4096),
  saveEvery: z.number().int().min(1).default(20),
  apiKeyEnv: z.string().default('TINKER_API_KEY'),
  baseUrlEnv: z.string().default('TINKER_BASE_URL'),
});
export type TinkerTrainingConfig = z.infer<typeof TinkerTrainingSchema>;

export const TrainingConfigSchema = z.object({
  local: LocalTrainingSchema.prefault({}),
  tinker: TinkerTrainingSchema.prefault({}),
});
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;

export const TrainingEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runner: z.enum(['mlx', 'tinker', 'classifier']),
    baseModel: z.string(),
    totalIters: z.number().int().nonnegative(),
    startIter: z.number().int().nonnegative().default(0),
    trainableParams: z.number().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('train'),
    iter: z.number().int().nonnegative(),
    loss: z.number(),
    learningRate: z.number().optional(),
    tokensPerSec: z.number().nonnegative().optional(),
    itersPerSec: z.number().nonnegative().optional(),
    trainedTokens: z.number().nonnegative().optional(),
    peakMemoryGb: z.number().nonnegative().optional(),
  }),
  z.object({ type: z.literal('val'), iter: z.number().int().nonnegative(), loss: z.number() }),
  z.object({ type: z.literal('checkpoint'), iter: z.number().int().nonnegative(), path: z.string() }),
  z.object({ type: z.literal('log'), message: z.string() }),
  z.object({
    type: z.literal('done'),
    iter: z.number().int().nonnegative(),
    adapterPath: z.string(),
    /** True when it stopped because it was asked to (SIGTERM / cancel), the last checkpoint kept. */
    cancelled: z.boolean().default(false),
  }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type TrainingEvent = z.infer<typeof TrainingEventSchema>;
