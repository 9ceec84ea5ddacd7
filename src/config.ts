import { join } from 'node:path';
import type { z } from 'zod';
import { appRoot } from './app-root.ts';
import { loadYamlConfig } from './config/load-yaml.ts';
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

/** The app's own configs/ folder. */
export const appConfigDir = () => join(appRoot(), 'configs');

/** The app's YAML configs are required: a missing file is an error, not silent defaults. */
function loadYaml<S extends z.ZodType>(schema: S, file: string, override: unknown): z.output<S> {
  return loadYamlConfig(file, schema, { override });
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
