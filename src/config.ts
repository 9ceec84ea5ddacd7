import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { appRoot } from './app-root.ts';
import {
  ImportConfigSchema,
  type SecurityConfig,
  SecurityConfigSchema,
  type StudioConfig,
  StudioConfigSchema,
  TokenizersConfigSchema,
} from './contracts/config.ts';
import { type Pricing, PricingSchema, type ProvidersConfig, ProvidersConfigSchema } from './contracts/providers.ts';
import { type ValidationConfig, ValidationConfigSchema } from './contracts/validation.ts';
import { ConfigError } from './errors/index.ts';

/** The app's own configs/ folder. */
export const appConfigDir = () => join(appRoot(), 'configs');

function loadYaml<S extends z.ZodType>(schema: S, file: string, override: unknown): z.infer<S> {
  if (!existsSync(file)) throw new ConfigError(`Missing config file ${file}.`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`${file}: not valid YAML: ${String(cause)}`, { cause });
  }
  const merged = mergeDeep(raw, override);
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
    throw new ConfigError(`${file}${where}: ${issue?.message ?? 'invalid config'}`);
  }
  return parsed.data;
}

/** Objects merged key by key; anything else in `override` replaces `base`. */
export function mergeDeep(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeDeep(base[k], v);
    return out;
  }
  return override;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface LoadConfigOptions {
  configDir?: string;
  /** Explicit options win over files. */
  override?: { tokenizers?: unknown; import?: unknown };
}

/** configs/providers.yaml: provider settings and model roles. */
export function loadProvidersConfig(options: LoadConfigOptions & { providers?: unknown } = {}): ProvidersConfig {
  return loadYaml(
    ProvidersConfigSchema,
    join(options.configDir ?? appConfigDir(), 'providers.yaml'),
    options.providers,
  );
}

/** configs/pricing.yaml: dollars per million tokens by provider and model. */
export function loadPricing(options: LoadConfigOptions = {}): Pricing {
  return loadYaml(PricingSchema, join(options.configDir ?? appConfigDir(), 'pricing.yaml'), undefined);
}

/** configs/validation.yaml: thresholds, probe counts, token limits. */
export function loadValidationConfig(options: LoadConfigOptions = {}): ValidationConfig {
  return loadYaml(ValidationConfigSchema, join(options.configDir ?? appConfigDir(), 'validation.yaml'), undefined);
}

/** configs/security.yaml: body, upload and download limits, extra Host names; `override` wins. */
export function loadSecurityConfig(options: LoadConfigOptions & { security?: unknown } = {}): SecurityConfig {
  return loadYaml(SecurityConfigSchema, join(options.configDir ?? appConfigDir(), 'security.yaml'), options.security);
}

export function loadConfig(options: LoadConfigOptions = {}): StudioConfig {
  const dir = options.configDir ?? appConfigDir();
  return StudioConfigSchema.parse({
    tokenizers: loadYaml(TokenizersConfigSchema, join(dir, 'tokenizers.yaml'), options.override?.tokenizers),
    import: loadYaml(ImportConfigSchema, join(dir, 'import.yaml'), options.override?.import),
  });
}
