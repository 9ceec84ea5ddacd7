import { z } from 'zod';

export const ProviderSettingsSchema = z.object({
  /** Environment variable holding the key (never the key). */
  apiKeyEnv: z.string().min(1),
  /** Environment variable that may point the SDK at another endpoint (gateway, local server). */
  baseUrlEnv: z.string().min(1),
  timeoutMs: z.number().int().positive().default(120_000),
  limits: z
    .object({
      maxInFlight: z.number().int().min(1).default(8),
      requestsPerMinute: z.number().positive().optional(),
      tokensPerMinute: z.number().positive().optional(),
    })
    .prefault({}),
  retry: z
    .object({
      maxRetries: z.number().int().min(0).max(20).default(5),
      baseDelayMs: z.number().int().min(1).default(1000),
      maxDelayMs: z.number().int().min(1).default(60_000),
    })
    .prefault({}),
  /** The provider's batch endpoint: cheaper, slower; used when a job asks for it. */
  batch: z
    .object({
      /** Share of the live price a batched call costs (the three providers charge half). */
      priceFactor: z.number().min(0).max(1).default(0.5),
      pollIntervalMs: z.number().int().min(1).default(30_000),
      /** Requests per submitted batch (the providers' own limits are higher). */
      maxRequests: z.number().int().min(1).max(100_000).default(10_000),
    })
    .prefault({}),
});
export type ProviderSettings = z.infer<typeof ProviderSettingsSchema>;

export const OpenAiSettingsSchema = ProviderSettingsSchema.extend({
  /** Chat Completions (any OpenAI-compatible server) or the Responses API. */
  api: z.enum(['chat', 'responses']).default('chat'),
});
export type OpenAiSettings = z.infer<typeof OpenAiSettingsSchema>;

export const ModelRefSchema = z.object({
  provider: z.enum(['anthropic', 'openai', 'gemini', 'local']),
  model: z.string().min(1),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

export const ProvidersConfigSchema = z.object({
  anthropic: ProviderSettingsSchema,
  openai: OpenAiSettingsSchema,
  gemini: ProviderSettingsSchema,
  /** Roles: cheap models generate and probe, expensive models validate and judge. */
  models: z.object({
    generator: ModelRefSchema,
    prober: ModelRefSchema,
    judge: ModelRefSchema,
    validators: z.array(ModelRefSchema).min(1),
  }),
});
export type ProvidersConfig = z.infer<typeof ProvidersConfigSchema>;

/** US dollars per million tokens. */
export const PriceSchema = z.object({
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});
export const PricingSchema = z.record(z.string(), z.record(z.string(), PriceSchema));
export type Pricing = z.infer<typeof PricingSchema>;
