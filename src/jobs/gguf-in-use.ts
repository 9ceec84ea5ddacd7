import type { CompressOptions, Compressor, CompressResult } from '../inference/compress.ts';
import { getCompressor } from '../inference/compress.ts';
import type { ModelLoadState } from '../inference/local-model.ts';
import type { ManagedModel } from '../inference/model-manager.ts';
import type { Project } from '../project.ts';
import { knownGgufs } from './generate-estimate.ts';

/**
 * GGUFs the project uses that the Models page's manager does not list by itself: the ones pruned
 * runs were given by path (SmolLM2 for pruning, say). They load and compress as pruners, keyed
 * "gguf:<path>".
 */
const PREFIX = 'gguf:';
// The config's own pruner entry, pointed at this file (a compressor of its own per path).
const NAME = 'pruner';
const compressors = new Map<string, Compressor>();
const UNLOADED: ModelLoadState = { model: 'unloaded', context: 'unloaded', adapter: 'none' };

export const isGgufKey = (key: string | null): key is string => Boolean(key?.startsWith(PREFIX));

function compressorFor(path: string): Compressor {
  let c = compressors.get(path);
  if (!c) {
    c = getCompressor({
      override: {
        // One thread: this machine's cores are shared, and llama.cpp's threads spin-wait.
        models: { [NAME]: { kind: 'prune', path, contextSize: 2048, threads: 1 } },
        pipelines: { nl: ['rules', NAME], chat: ['rules', NAME], mixed: ['rules', NAME], code: ['rules', 'code-path'] },
      },
    });
    compressors.set(path, c);
  }
  return c;
}

/** The GGUFs in use that `listed` (the manager's models) lacks, as Models page rows. */
export function ggufsInUse(project: Project, listed: readonly ManagedModel[]): ManagedModel[] {
  const known = new Set(listed.map((m) => m.path));
  return knownGgufs(project)
    .filter((g) => !known.has(g.path))
    .map((g) => ({
      key: `${PREFIX}${g.path}`,
      name: g.name,
      kind: 'pruner',
      path: g.path,
      exists: g.exists,
      bytes: g.bytes,
      base: g.origin,
      quantization: null,
      state:
        compressors
          .get(g.path)
          ?.models()
          .find((m) => m.name === NAME)?.state ?? UNLOADED,
      domains: [],
    }));
}

function pathOf(key: string): string {
  return key.slice(PREFIX.length);
}

export async function loadGguf(key: string): Promise<void> {
  await compressorFor(pathOf(key)).warm(NAME);
}

export async function unloadGguf(key: string): Promise<void> {
  const path = pathOf(key);
  await compressors.get(path)?.dispose();
  compressors.delete(path);
}

export function tryGguf(key: string, text: string, options: Omit<CompressOptions, 'model'>): Promise<CompressResult> {
  return compressorFor(pathOf(key)).compress(text, { ...options, model: NAME });
}
