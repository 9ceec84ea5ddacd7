import { z } from 'zod';
import { ModelRefSchema } from '../providers.ts';
import { ProjectSettingsSchema } from '../review.ts';
import { ValidationConfigSchema } from '../validation.ts';
import { contract, None } from './contract.ts';
import { TokenizerMethodSchema } from './project.ts';

/** The providers whose keys the Settings page sets, and the variables that hold key and endpoint. */
export const PROVIDERS = [
  { name: 'Anthropic', keyEnv: 'ANTHROPIC_API_KEY', baseUrlEnv: 'ANTHROPIC_BASE_URL' },
  { name: 'OpenAI', keyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL' },
  { name: 'Gemini', keyEnv: 'GEMINI_API_KEY', baseUrlEnv: 'GEMINI_BASE_URL' },
  { name: 'Tinker', keyEnv: 'TINKER_API_KEY', baseUrlEnv: 'TINKER_BASE_URL' },
] as const;

export const ProviderKeyEnvSchema = z.enum(PROVIDERS.map((p) => p.keyEnv));

export const SettingsSchema = z.object({
  project: ProjectSettingsSchema,
  keysWritable: z.boolean(),
  /** Empty for a labeler: nothing about keys, endpoints or tokenizer set-up. */
  providers: z.array(
    z.object({
      name: z.string(),
      keyEnv: ProviderKeyEnvSchema,
      baseUrlEnv: z.string(),
      hasKey: z.boolean(),
      baseUrl: z.string().nullable(),
    }),
  ),
  tokenizers: z.array(TokenizerMethodSchema),
  models: z.object({
    generator: ModelRefSchema,
    prober: ModelRefSchema,
    judge: ModelRefSchema,
    validators: z.array(ModelRefSchema),
  }),
  thresholds: ValidationConfigSchema.shape.thresholds,
});

export const settingsContracts = {
  'settings-get': contract(None, SettingsSchema),
  'settings-update': contract(ProjectSettingsSchema.partial(), ProjectSettingsSchema),
  // Never echoes a key back: says only whether one is set.
  'keys-set': contract(
    z.object({ keyEnv: ProviderKeyEnvSchema, value: z.string().max(500) }),
    z.object({ keyEnv: z.string(), hasKey: z.boolean() }),
  ),
};
