import { z } from 'zod';

const DomainFactorsSchema = z.object({
  nl: z.number().positive(),
  chat: z.number().positive(),
  code: z.number().positive(),
  mixed: z.number().positive(),
});

const RemoteTokenizerSchema = z.object({
  /** Model whose count-tokens endpoint is asked. */
  model: z.string().min(1),
  /** Name of the environment variable that holds the key: never the key itself. */
  apiKeyEnv: z.string().min(1),
  /** Name of the environment variable that may override the endpoint (a gateway, a test server). */
  baseUrlEnv: z.string().min(1),
  /**
   * Offline estimate: o200k count times a factor per domain. Used when no key is configured,
   * and always labelled "estimate".
   */
  estimateFactor: DomainFactorsSchema,
});

export const TokenizersConfigSchema = z.object({
  claude: RemoteTokenizerSchema,
  gemini: RemoteTokenizerSchema,
});
export type TokenizersConfig = z.infer<typeof TokenizersConfigSchema>;
export type RemoteTokenizerConfig = z.infer<typeof RemoteTokenizerSchema>;

export const ImportConfigSchema = z.object({
  /** Records per transaction: large enough to be fast, small enough to keep memory flat. */
  batchSize: z.number().int().min(1).max(100_000),
  /** Files in a code folder larger than this are skipped (generated or vendored, mostly). */
  maxFileBytes: z.number().int().positive(),
  /** How many error lines an import keeps in full; the rest are only counted. */
  maxReportedErrors: z.number().int().positive(),
});
export type ImportConfig = z.infer<typeof ImportConfigSchema>;

export const StudioConfigSchema = z.object({
  tokenizers: TokenizersConfigSchema,
  import: ImportConfigSchema,
});
export type StudioConfig = z.infer<typeof StudioConfigSchema>;
