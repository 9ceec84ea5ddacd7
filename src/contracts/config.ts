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
  /** A JSONL line or CSV record longer than this is rejected (with its line) instead of held in memory. */
  maxRecordBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Files read whole (text, code, a JSON document, an unknown type) larger than this are rejected. */
  maxWholeFileBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** A record nested deeper than this is rejected: storing it would overflow the stack. */
  maxDepth: z.number().int().positive().default(256),
});
export type ImportConfig = z.infer<typeof ImportConfigSchema>;

export const StudioConfigSchema = z.object({
  tokenizers: TokenizersConfigSchema,
  import: ImportConfigSchema,
});
export type StudioConfig = z.infer<typeof StudioConfigSchema>;

/** configs/security.yaml: limits on what the app accepts from outside. */
export const SecurityConfigSchema = z.object({
  serve: z.object({
    maxApiBodyBytes: z.number().int().positive(),
    maxUploadBytes: z.number().int().positive(),
    allowedHosts: z.array(z.string().min(1).max(253)).default([]),
  }),
  downloads: z.object({
    maxBytes: z.number().int().positive(),
    allowLoopbackHttp: z.boolean().default(false),
    maxRedirects: z.number().int().min(0).max(20).default(5),
  }),
});
export type SecurityConfig = z.infer<typeof SecurityConfigSchema>;
export type DownloadPolicy = SecurityConfig['downloads'];
