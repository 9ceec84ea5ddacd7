import { loadProvidersConfig, loadValidationConfig } from '../config.ts';
import { PROVIDERS, settingsContracts } from '../contracts/api/settings.ts';
import { TOKENIZER_IDS } from '../contracts/tokenizer.ts';
import { InputError } from '../errors/index.ts';
import { getSettings, updateSettings } from '../store/settings.ts';
import { keyFrom } from '../util/env.ts';
import { handlers } from './handler.ts';

export const settingsHandlers = handlers(settingsContracts, {
  'settings-get': (ctx, _a, caller) => {
    const env = ctx.env ?? process.env;
    if (caller.role === 'labeler') {
      // What the Review page needs (guidelines, overlap, thresholds, model roles); nothing about
      // keys, endpoints or tokenizer setup.
      return {
        project: getSettings(ctx.project.db),
        keysWritable: false,
        providers: [],
        tokenizers: [],
        models: loadProvidersConfig().models,
        thresholds: loadValidationConfig().thresholds,
      };
    }
    return {
      project: getSettings(ctx.project.db),
      keysWritable: Boolean(ctx.keys),
      providers: PROVIDERS.map((p) => ({
        ...p,
        hasKey: Boolean(keyFrom(env, p.keyEnv)) || Boolean(ctx.keys?.has(p.keyEnv)),
        baseUrl: env[p.baseUrlEnv] ?? null,
      })),
      tokenizers: TOKENIZER_IDS.map((id) => ({ id, method: ctx.project.tokens.methodFor(id) })),
      models: loadProvidersConfig().models,
      thresholds: loadValidationConfig().thresholds,
    };
  },
  'settings-update': (ctx, patch) => updateSettings(ctx.project.db, patch),
  'keys-set': (ctx, a) => {
    if (!ctx.keys) {
      throw new InputError(
        `keys can only be stored by the desktop app; for the browser, set ${a.keyEnv} in the environment of "studio serve"`,
      );
    }
    if (a.value) ctx.keys.set(a.keyEnv, a.value);
    else ctx.keys.clear(a.keyEnv);
    // Never echo a key back: say only whether one is set.
    return { keyEnv: a.keyEnv, hasKey: Boolean(a.value) };
  },
});
