import { z } from 'zod';
import { DomainSchema } from '../source.ts';
import { contract, None } from './contract.ts';

export const ModelRecordSchema = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(['gguf', 'gguf-adapter', 'mlx-adapter', 'peft-adapter', 'onnx-classifier']),
  path: z.string(),
  base: z.string().nullable(),
  quantization: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  runId: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const LoadStep = z.enum(['none', 'unloaded', 'loading', 'ready', 'failed']);

/** A local model as the Models page shows it: where it is, and what of it is loaded. */
export const ManagedModelSchema = z.object({
  key: z.string(),
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  exists: z.boolean(),
  bytes: z.number().nullable(),
  base: z.string().nullable(),
  quantization: z.string().nullable(),
  state: z.object({
    model: LoadStep,
    context: LoadStep,
    adapter: LoadStep,
    error: z.object({ step: z.enum(['model', 'context', 'adapter']), message: z.string() }).optional(),
    loadedAt: z.string().optional(),
    loadMs: z.number().optional(),
  }),
  domains: z.array(z.string()),
});
export type ManagedModelWire = z.infer<typeof ManagedModelSchema>;

export const DownloadSchema = z.object({
  id: z.string(),
  url: z.string(),
  done: z.number(),
  total: z.number(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  error: z.string().optional(),
});

/** A compression by a local model, with the time of each stage and why it fell back, if it did. */
export const CompressResultSchema = z.object({
  text: z.string(),
  domain: DomainSchema,
  language: z.string().nullable(),
  tokensBefore: z.number(),
  tokensAfter: z.number(),
  strategy: z.string(),
  pipeline: z.array(z.string()),
  model: z.string().nullable(),
  timings: z.array(
    z.object({
      stage: z.string(),
      ms: z.number(),
      tokensIn: z.number(),
      tokensOut: z.number(),
      modelTokens: z.number().optional(),
      tokensPerSecond: z.number().optional(),
      modelInputTokens: z.number().optional(),
      refused: z.boolean().optional(),
      skipped: z.boolean().optional(),
    }),
  ),
  totalMs: z.number(),
  fallback: z
    .object({
      stage: z.string(),
      model: z.string().nullable(),
      reason: z.enum(['error', 'empty', 'longer', 'truncated', 'dropped-protected', 'too-long', 'timeout', 'no-model']),
      detail: z.string(),
    })
    .nullable(),
  cached: z.boolean(),
  notes: z.array(z.string()),
  densePending: z.boolean().optional(),
  keptWhole: z.boolean().optional(),
});

const Key = z.object({ key: z.string().min(1) });

export const modelsContracts = {
  'models-list': contract(None, z.array(ModelRecordSchema)),
  'models-overview': contract(
    None,
    z.object({ models: z.array(ManagedModelSchema), downloads: z.array(DownloadSchema) }),
  ),
  // A key the app no longer knows answers nothing (null over IPC).
  'models-load': contract(Key, ManagedModelSchema.nullish()),
  'models-unload': contract(Key, ManagedModelSchema.nullish()),
  'models-fit': contract(
    z.object({ key: z.string().min(1), contextSize: z.number().int().min(256).max(1_048_576).default(4096) }),
    z.object({
      neededBytes: z.number(),
      freeBytes: z.number(),
      totalBytes: z.number(),
      fits: z.boolean(),
      detail: z.string(),
    }),
  ),
  'models-try': contract(
    z.object({
      key: z.string().min(1).nullable(),
      text: z.string().min(1).max(200_000),
      domain: DomainSchema.optional(),
      ratio: z.number().gt(0).lte(1).optional(),
      // Query-aware selection (the select stage) when given: what `studio compress --query` does.
      query: z.string().max(4000).optional(),
    }),
    CompressResultSchema,
  ),
  'models-download': contract(z.object({ url: z.string().min(4).max(4096) }), z.object({ id: z.string() })),
  'models-download-cancel': contract(z.object({ id: z.string() }), z.object({ cancelled: z.boolean() })),
  // `studio models pull` from the Models page: one download row per default model.
  'models-pull': contract(z.object({ force: z.boolean().default(false) }), z.object({ ids: z.array(z.string()) })),
};
