import { z } from 'zod';

export const NewPairSchema = z.object({
  sourceId: z.number().int().positive(),
  compressed: z.string(),
  strategy: z.string().min(1),
  strategyVersion: z.string().default(''),
  params: z.record(z.string(), z.unknown()).default({}),
  model: z.string().default(''),
  runId: z.number().int().positive().nullable().default(null),
  tokensOriginal: z.number().int().nonnegative().nullable().default(null),
  tokensCompressed: z.number().int().nonnegative().nullable().default(null),
  tokenizer: z.string().nullable().default(null),
  costUsd: z.number().nonnegative().nullable().default(null),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type NewPair = z.input<typeof NewPairSchema>;

export interface Pair {
  id: number;
  sourceId: number;
  compressed: string;
  compressedHash: string;
  strategy: string;
  strategyVersion: string;
  params: Record<string, unknown>;
  model: string;
  runId: number | null;
  tokensOriginal: number | null;
  tokensCompressed: number | null;
  tokenizer: string | null;
  costUsd: number | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export const PairQuerySchema = z.object({
  sourceId: z.number().int().positive().optional(),
  strategy: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
  offset: z.number().int().min(0).default(0),
});
export type PairQuery = z.input<typeof PairQuerySchema>;
