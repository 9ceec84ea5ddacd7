import { modelsContracts } from '../contracts/api/models.ts';
import { PULLABLE_MODELS, pullModel } from '../inference/models-pull.ts';
import { ggufsInUse, isGgufKey, loadGguf, tryGguf, unloadGguf } from '../jobs/gguf-in-use.ts';
import { listModels } from '../store/training.ts';
import { type ApiContext, modelsOf } from './context.ts';
import { createDownloads, type Downloads } from './downloads.ts';
import { handlers } from './handler.ts';

/** The manager's models and every other GGUF the project uses (a pruner given by path). */
function withGgufsInUse(ctx: ApiContext) {
  const listed = modelsOf(ctx).list();
  return [...listed, ...ggufsInUse(ctx.project, listed)];
}

function downloadsOf(ctx: ApiContext): Downloads {
  ctx.downloads ??= createDownloads();
  return ctx.downloads;
}

export const modelsHandlers = handlers(modelsContracts, {
  'models-list': (ctx) => listModels(ctx.project.db),
  'models-overview': (ctx) => ({ models: withGgufsInUse(ctx), downloads: downloadsOf(ctx).list() }),
  'models-load': async (ctx, a) => {
    if (!isGgufKey(a.key)) return modelsOf(ctx).load(a.key);
    await loadGguf(a.key);
    return withGgufsInUse(ctx).find((m) => m.key === a.key);
  },
  'models-unload': async (ctx, a) => {
    if (!isGgufKey(a.key)) return modelsOf(ctx).unload(a.key);
    await unloadGguf(a.key);
    return withGgufsInUse(ctx).find((m) => m.key === a.key);
  },
  'models-fit': (ctx, a) => modelsOf(ctx).fit(a.key, a.contextSize),
  'models-try': (ctx, a) => {
    const options = {
      ...(a.domain ? { domain: a.domain } : {}),
      ...(a.ratio ? { ratio: a.ratio } : {}),
      ...(a.query?.trim() ? { query: a.query } : {}),
    };
    return isGgufKey(a.key) ? tryGguf(a.key, a.text, options) : modelsOf(ctx).tryCompress(a.key, a.text, options);
  },
  'models-download': (ctx, a) => {
    const models = modelsOf(ctx);
    const id = downloadsOf(ctx).start(
      a.url,
      (signal, onProgress) => models.download(a.url, { signal, onProgress }),
      () => ctx.bus.emit({ type: 'store-changed', reason: 'models' }),
    );
    return { id };
  },
  'models-pull': (ctx, a) => ({
    ids: PULLABLE_MODELS.map((name) =>
      downloadsOf(ctx).start(
        `pull ${name}`,
        (signal, onProgress) => pullModel(name, { force: a.force, signal, onProgress }),
        () => ctx.bus.emit({ type: 'store-changed', reason: 'models' }),
      ),
    ),
  }),
  'models-download-cancel': (ctx, a) => {
    downloadsOf(ctx).cancel(a.id);
    return { cancelled: true };
  },
});
