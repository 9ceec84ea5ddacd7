import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { createPruner, type Pruner } from '../generation/strategies/pruned/index.ts';
import { type ClassifierHandle, classifierHandle } from './classifier-handle.ts';
import type { InferenceConfig, ModelEntry } from './config.ts';
import { LocalModel, type ModelLoadState } from './local-model.ts';

/**
 * The models a compressor uses, by their config name: each created at its first use, loaded once,
 * kept warm and unloaded after `idleUnloadSeconds` without a call.
 */

export interface PrunerHandle {
  readonly label: string;
  use<T>(fn: (p: Pruner) => Promise<T>): Promise<T>;
  state(): ModelLoadState;
  unload(): Promise<void>;
}

function prunerHandle(entry: Extract<ModelEntry, { kind: 'prune' }>, idleSeconds: number): PrunerHandle {
  let pruner: Pruner | undefined;
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let state: ModelLoadState = { model: 'unloaded', context: 'unloaded', adapter: 'none' };
  const unload = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const p = pruner;
    pruner = undefined;
    state = { model: 'unloaded', context: 'unloaded', adapter: 'none' };
    await p?.dispose();
  };
  return {
    label: basename(entry.path),
    state: () => ({ ...state }),
    unload,
    async use(fn) {
      if (timer) clearTimeout(timer);
      active++;
      try {
        if (!existsSync(entry.path)) {
          state = { ...state, model: 'failed', error: { step: 'model', message: `no model file at ${entry.path}` } };
          throw new Error(`loading failed at the model step: no model file at ${entry.path}`);
        }
        pruner ??= createPruner({
          modelPath: entry.path,
          contextSize: entry.contextSize,
          threads: entry.threads || availableParallelism(),
        });
        const r = await fn(pruner);
        state = { model: 'ready', context: 'ready', adapter: 'none' };
        return r;
      } finally {
        active--;
        if (idleSeconds > 0 && active === 0 && pruner) {
          timer = setTimeout(() => void unload(), idleSeconds * 1000);
          timer.unref();
        }
      }
    },
  };
}

export interface ModelInfo {
  name: string;
  kind: ModelEntry['kind'];
  path: string;
  adapter: string | null;
  exists: boolean;
  bytes: number | null;
  state: ModelLoadState;
  /** Domains whose pipeline runs this model. */
  domains: string[];
}

export class ModelSet {
  private readonly generators = new Map<string, LocalModel>();
  private readonly pruners = new Map<string, PrunerHandle>();
  private readonly classifiers = new Map<string, ClassifierHandle>();

  constructor(private readonly config: InferenceConfig) {}

  entry(name: string): ModelEntry | undefined {
    return this.config.models[name];
  }

  generator(name: string): LocalModel {
    let m = this.generators.get(name);
    const entry = this.config.models[name];
    if (!m) {
      if (entry?.kind !== 'generate') throw new Error(`${name} is not a generate model`);
      m = new LocalModel({
        path: entry.path,
        adapter: entry.adapter,
        contextSize: entry.contextSize,
        sequences: entry.sequences,
        threads: entry.threads,
        idleUnloadSeconds: this.config.idleUnloadSeconds,
      });
      this.generators.set(name, m);
    }
    return m;
  }

  pruner(name: string): PrunerHandle {
    let p = this.pruners.get(name);
    const entry = this.config.models[name];
    if (!p) {
      if (entry?.kind !== 'prune') throw new Error(`${name} is not a prune model`);
      p = prunerHandle(entry, this.config.idleUnloadSeconds);
      this.pruners.set(name, p);
    }
    return p;
  }

  classifier(name: string): ClassifierHandle {
    let c = this.classifiers.get(name);
    const entry = this.config.models[name];
    if (!c) {
      if (entry?.kind !== 'classify') throw new Error(`${name} is not a classify model`);
      c = classifierHandle(entry, this.config.idleUnloadSeconds);
      this.classifiers.set(name, c);
    }
    return c;
  }

  /** Loads a model now (warm-up), resolving to its state. */
  async load(name: string): Promise<ModelLoadState> {
    const entry = this.config.models[name];
    if (entry?.kind === 'classify') return this.classifier(name).load();
    if (entry?.kind === 'generate') {
      const m = this.generator(name);
      await m.load().catch(() => undefined);
      return m.state;
    }
    // The pruner loads at its first use: a two-token pass is that use (review: the Models page's
    // Load did nothing for the pruner, its state stayed "unloaded").
    const pruner = this.pruner(name);
    await pruner.use((p) => p.forwardPass('Hello.')).catch(() => undefined);
    return pruner.state();
  }

  list(): ModelInfo[] {
    return Object.entries(this.config.models).map(([name, entry]) => {
      const exists = existsSync(entry.path);
      const state =
        entry.kind === 'generate'
          ? (this.generators.get(name)?.state ?? {
              model: 'unloaded',
              context: 'unloaded',
              adapter: entry.adapter ? 'unloaded' : 'none',
            })
          : entry.kind === 'classify'
            ? (this.classifiers.get(name)?.state() ?? { model: 'unloaded', context: 'unloaded', adapter: 'none' })
            : (this.pruners.get(name)?.state() ?? { model: 'unloaded', context: 'unloaded', adapter: 'none' });
      return {
        name,
        kind: entry.kind,
        path: entry.path,
        adapter: entry.kind === 'generate' ? entry.adapter : null,
        exists,
        bytes: exists
          ? (statSync(entry.kind === 'classify' ? join(entry.path, 'model.onnx') : entry.path, {
              throwIfNoEntry: false,
            })?.size ?? null)
          : null,
        state,
        domains: Object.entries(this.config.pipelines)
          .filter(([, stages]) => stages.includes(name))
          .map(([d]) => d),
      };
    });
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.generators.values()].map((m) => m.unload()));
    await Promise.all([...this.pruners.values()].map((p) => p.unload()));
    await Promise.all([...this.classifiers.values()].map((c) => c.unload()));
  }
}
