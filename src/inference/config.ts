import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { appRoot } from '../app-root.ts';
import { checkConfig, loadYamlConfig } from '../config/load-yaml.ts';
import { MAX_TIMER_MS } from '../util/abort.ts';

/**
 * configs/inference.yaml: the models, the stages each domain runs, the fallback rules, limits,
 * cache, idle unload, the service and the proxy. Precedence: explicit override > environment >
 * file > defaults (the defaults here are what the file says, so a missing key is never a crash).
 */

const GenerateModelSchema = z.object({
  kind: z.literal('generate'),
  /** A fused GGUF, or the base GGUF when `adapter` is set. */
  path: z.string().min(1),
  /** A LoRA adapter GGUF applied to the base model. */
  adapter: z.string().min(1).nullable().default(null),
  /** Tokens per sequence. */
  contextSize: z.number().int().min(256).default(4096),
  sequences: z.number().int().min(1).max(64).default(4),
  maxOutputTokens: z.number().int().min(1).default(2048),
  /** CPU threads; 0 = every core. */
  threads: z.number().int().min(0).default(0),
});

const PruneModelSchema = z.object({
  kind: z.literal('prune'),
  path: z.string().min(1),
  contextSize: z.number().int().min(256).default(2048),
  threads: z.number().int().min(0).default(0),
});

/** The token classifier (native/classifier): a folder with model.onnx, vocab.txt and classifier.json. */
const ClassifyModelSchema = z.object({
  kind: z.literal('classify'),
  path: z.string().min(1),
  /** onnxruntime's threads (1 by default: the CPU is shared). */
  threads: z.number().int().min(1).default(1),
});

export const ModelEntrySchema = z.discriminatedUnion('kind', [
  GenerateModelSchema,
  PruneModelSchema,
  ClassifyModelSchema,
]);
export type ModelEntry = z.infer<typeof ModelEntrySchema>;
export type GenerateModelEntry = z.infer<typeof GenerateModelSchema>;
export type PruneModelEntry = z.infer<typeof PruneModelSchema>;
export type ClassifyModelEntry = z.infer<typeof ClassifyModelSchema>;

/** A stage: the rules compressor, the code path, or a model named in `models`. */
const StageSchema = z.string().min(1);

export const ProtectKindSchema = z.enum([
  'number',
  'name',
  'date',
  'time',
  'identifier',
  'url',
  'email',
  'speaker',
  'header',
  'field',
  'user',
  'markup',
  'negation',
]);

/**
 * The default time a model stage is given per 1,000 o200k tokens of input, over limits.modelTimeoutMs.
 * The pruner, on 2 shared cores with every thread (load average 10), took 10.6 to 16.2 s per 1,000
 * o200k tokens of 3k-12k-token texts (SmolLM2-135M, about 1.1 model tokens each): 20 s leaves a
 * quarter over the slowest. With one thread it took 6.3 s (the models' `threads`).
 */
const MODEL_MS_PER_1K_TOKENS = 20_000;

export const InferenceConfigSchema = z
  .object({
    models: z.record(z.string().regex(/^[\w.-]+$/), ModelEntrySchema).default({}),
    pipelines: z
      .object({
        nl: z.array(StageSchema).min(1),
        chat: z.array(StageSchema).min(1),
        code: z.array(StageSchema).min(1),
        mixed: z.array(StageSchema).min(1),
      })
      .default({ nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] }),
    ratio: z.number().gt(0).max(1).default(0.5),
    fallback: z
      .object({
        maxRatio: z.number().positive().default(1),
        protect: z.array(ProtectKindSchema).default([...ProtectKindSchema.options]),
      })
      .prefault({}),
    limits: z
      .object({
        maxTextChars: z.number().int().positive().default(200_000),
        maxTexts: z.number().int().positive().default(64),
        maxModelInputTokens: z.number().int().positive().default(3072),
        /**
         * A model stage's time limit on its own work is this base plus modelTimeoutMsPer1kTokens per
         * 1,000 o200k tokens of its input (model-stage.ts modelTimeLimitMs): the pruner's work grows with
         * the input, and a fixed 60 s sent a 45k-token file to the rules on 2 cores.
         */
        modelTimeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(60_000),
        modelTimeoutMsPer1kTokens: z.number().int().min(0).max(MAX_TIMER_MS).default(MODEL_MS_PER_1K_TOKENS),
      })
      .prefault({}),
    cache: z
      .object({
        entries: z.number().int().min(0).default(2000),
        /** Bytes of text held (originals are not kept, compressed texts are: about 2 bytes a character). */
        maxBytes: z
          .number()
          .int()
          .min(0)
          .default(64 * 2 ** 20),
      })
      .prefault({}),
    idleUnloadSeconds: z.number().min(0).default(300),
    /**
     * A JSON document without a query: after the code path (minified, as written), each string value
     * of at least `minWords` words is compressed on its own through its domain's pipeline (prose:
     * the rules and the model stage), so the JSON stays JSON. `strings: false`: minified only.
     */
    json: z
      .object({
        strings: z.boolean().default(true),
        minWords: z.number().int().min(1).default(8),
      })
      .prefault({}),
    /** Query-aware selection (`compress(text, {query})`): src/inference/query. */
    query: z
      .object({
        /** Kept fraction of o200k tokens when the caller gives neither a ratio nor maxTokens. */
        ratio: z.number().gt(0).max(1).default(0.1),
        /**
         * With that default ratio, the budget is at least this many o200k tokens: a memory this short
         * is kept whole (review: the proxy cut a 170-token profile to one fact, "vegetarian" gone).
         * An asked ratio or maxTokens is kept as asked. 0: none.
         */
        minTokens: z.number().int().min(0).default(1000),
        /** all-MiniLM-L6-v2 for dense relevance, an exported ONNX folder or a GGUF; missing: BM25 and boosts only, said in the notes. */
        embedder: z.string().min(1).default('.cache/models/all-minilm-l6-v2.onnx'),
        /** Where vectors are cached: "auto" (the project's database, else the user's cache folder), a path, or "off". */
        embeddingCache: z.string().min(1).default('auto'),
        /** Kept units as written ("verbatim") or without their closed-class words ("telegraphic"). */
        style: z.enum(['verbatim', 'telegraphic']).default('telegraphic'),
        /** Units ordered by the learned model (src/inference/query/rank-model.ts) or by the weighted sum alone. */
        ranker: z.enum(['learned', 'weights']).default('learned'),
        weights: z
          .object({
            lexical: z.number().min(0),
            dense: z.number().min(0),
            speaker: z.number().min(0),
            /** Added to the turns of the person a list question names ("What activities does Melanie do?"). */
            listSpeaker: z.number().min(0),
            name: z.number().min(0),
            date: z.number().min(0),
            neighbour: z.number().min(0).max(1),
            session: z.number().min(0),
            /** Added, for a "when" question, to the turns holding a time expression. */
            time: z.number().min(0),
            /** Share of the budget filled by the most relevant turns kept as written (telegraphic style). */
            verbatimShare: z.number().min(0).max(1),
            /** Share of the budget filled by the most relevant turns whole; below, turns cut to their sentences sharing a query term (1: off). */
            sentenceShare: z.number().min(0).max(1),
            /** The best this many turns each bring the turn after them (the reply that echoes or finishes the answer). */
            contextTop: z.number().int().min(0).max(100),
          })
          .strict()
          .partial()
          .default({}),
      })
      .prefault({}),
    service: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4318),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 2 ** 20),
        latencyWindow: z.number().int().positive().default(2048),
      })
      .prefault({}),
    proxy: z
      .object({
        upstreams: z
          .object({
            anthropic: z.url().default('https://api.anthropic.com'),
            openai: z.url().default('https://api.openai.com'),
            gemini: z.url().default('https://generativelanguage.googleapis.com'),
          })
          .prefault({}),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 2 ** 20),
        minSavedTokens: z.number().int().min(0).default(32),
        timeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(15_000),
        /**
         * How long a memory block's selection waits for the memory's first embedding pass (~20 s for
         * 20k tokens on 2 cores) before ranking by BM25 for this request, the pass going on for the
         * next (CompressOptions.denseWithinMs). Default: 60 % of timeoutMs, which leaves the rest
         * for the selection itself; over timeoutMs the request fails open.
         */
        denseWithinMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
        requireToken: z.boolean().default(false),
        /** The query for `<memory>`/`<context>` blocks: the last user message, or "off" (per request: `x-compression-query: off`). */
        query: z.enum(['last-user', 'off']).default('last-user'),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    for (const [domain, stages] of Object.entries(cfg.pipelines)) {
      for (const stage of stages) {
        if (stage === 'rules' || stage === 'code-path' || stage in cfg.models) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['pipelines', domain],
          message: `unknown stage "${stage}": use rules, code-path or a model named under models (${Object.keys(cfg.models).join(', ') || 'none'})`,
        });
      }
    }
  });

export type InferenceConfig = z.infer<typeof InferenceConfigSchema>;
export type InferenceConfigInput = z.input<typeof InferenceConfigSchema>;

function resolvePath(p: string): string {
  return isAbsolute(p) ? p : join(appRoot(), p);
}

/** Model paths made absolute; the environment overrides the stages' files and the query embedder's. */
function applyEnvironment(cfg: InferenceConfig, env: NodeJS.ProcessEnv): InferenceConfig {
  const models: Record<string, ModelEntry> = {};
  for (const [name, m] of Object.entries(cfg.models)) {
    if (m.kind === 'generate') {
      const envPath = name === 'compressor' ? env.STUDIO_COMPRESSOR_MODEL : undefined;
      const envAdapter = name === 'compressor' ? env.STUDIO_COMPRESSOR_ADAPTER : undefined;
      const adapter = envAdapter ?? m.adapter;
      models[name] = { ...m, path: resolvePath(envPath || m.path), adapter: adapter ? resolvePath(adapter) : null };
    } else {
      const envPath =
        name === 'pruner' ? env.STUDIO_PRUNER_MODEL : name === 'classifier' ? env.STUDIO_CLASSIFIER_MODEL : undefined;
      models[name] = { ...m, path: resolvePath(envPath || m.path) };
    }
  }
  return {
    ...cfg,
    models,
    query: { ...cfg.query, embedder: resolvePath(env.STUDIO_EMBEDDER_MODEL || cfg.query.embedder) },
  };
}

/** Parses a config object (tests and callers that build one in code). */
export function parseInferenceConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, where = 'inference config') {
  return applyEnvironment(checkConfig(InferenceConfigSchema, raw ?? {}, { file: where }), env);
}

export interface LoadInferenceConfigOptions {
  /** Defaults to the app's configs/inference.yaml. */
  file?: string;
  /** Deep-merged over the file: explicit options win. */
  override?: InferenceConfigInput;
  env?: NodeJS.ProcessEnv;
}

/** configs/inference.yaml (missing: the defaults); a file named explicitly must exist. */
export function loadInferenceConfig(options: LoadInferenceConfigOptions = {}): InferenceConfig {
  const file = options.file ?? join(appRoot(), 'configs', 'inference.yaml');
  const config = loadYamlConfig(file, InferenceConfigSchema, {
    override: options.override,
    optional: options.file === undefined,
  });
  return applyEnvironment(config, options.env ?? process.env);
}
