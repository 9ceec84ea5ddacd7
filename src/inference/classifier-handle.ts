import { basename } from 'node:path';
import { createTokenClassifier, type TokenClassifier } from './classifier.ts';
import type { ClassifyModelEntry } from './config.ts';
import type { ModelLoadState } from './local-model.ts';

/**
 * The token classifier as a pipeline model: created at its first use, its load state reported
 * (model = the ONNX session, context = ready once it has scored), unloaded when idle.
 */
export interface ClassifierHandle {
  readonly label: string;
  use<T>(fn: (c: TokenClassifier) => Promise<T>): Promise<T>;
  load(): Promise<ModelLoadState>;
  state(): ModelLoadState;
  unload(): Promise<void>;
}

const UNLOADED: ModelLoadState = { model: 'unloaded', context: 'unloaded', adapter: 'none' };

export function classifierHandle(entry: ClassifyModelEntry, idleSeconds: number): ClassifierHandle {
  let classifier: TokenClassifier | undefined;
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let state: ModelLoadState = { ...UNLOADED };
  const unload = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const c = classifier;
    classifier = undefined;
    state = { ...UNLOADED };
    await c?.dispose();
  };
  const ready = async (): Promise<TokenClassifier> => {
    if (classifier) return classifier;
    const t0 = performance.now();
    state = { ...UNLOADED, model: 'loading' };
    try {
      const c = createTokenClassifier({ modelDir: entry.path, threads: entry.threads });
      await c.load();
      classifier = c;
      state = {
        model: 'ready',
        context: 'ready',
        adapter: 'none',
        loadedAt: new Date().toISOString(),
        loadMs: performance.now() - t0,
      };
      return c;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state = { ...UNLOADED, model: 'failed', error: { step: 'model', message } };
      throw error;
    }
  };
  return {
    label: basename(entry.path),
    state: () => ({ ...state }),
    unload,
    async load() {
      await ready().catch(() => undefined);
      return { ...state };
    },
    async use(fn) {
      if (timer) clearTimeout(timer);
      active++;
      try {
        return await fn(await ready());
      } finally {
        active--;
        if (idleSeconds > 0 && active === 0 && classifier) {
          timer = setTimeout(() => void unload(), idleSeconds * 1000);
          timer.unref();
        }
      }
    },
  };
}
