import { existsSync, statSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { loadSecurityConfig } from '../config.ts';
import type { DownloadPolicy } from '../contracts/config.ts';
import { embedderPresent } from '../embeddings/sentence-embedder.ts';
import { InputError, NotFoundError } from '../errors/index.ts';
import { sharedLlama } from '../providers/local/llama.ts';
import type { Db } from '../store/db.ts';
import { listModels, registerModel } from '../store/training.ts';
import { type CompressOptions, type Compressor, type CompressResult, getCompressor } from './compress.ts';
import { downloadGguf } from './download.ts';
import type { ModelLoadState } from './local-model.ts';

/**
 * The Models page's view of local models: the ones configs/inference.yaml names (the pipelines'
 * compressor and pruner) and the GGUFs this project made or downloaded (the models table). Each
 * can be loaded, unloaded, tried on a text, and sized against free memory before loading.
 */
export interface ManagedModel {
  /** "config:<name>" or "project:<id>". */
  key: string;
  name: string;
  kind: string;
  path: string;
  exists: boolean;
  bytes: number | null;
  base: string | null;
  quantization: string | null;
  /** Per-step load state (model, context, adapter): a failure says which step failed. */
  state: ModelLoadState;
  /** Domains whose pipeline runs it (config models). */
  domains: string[];
}

export interface FitEstimate {
  /** Bytes the model and one context need in RAM (CPU; unified memory on a Mac). */
  neededBytes: number;
  freeBytes: number;
  totalBytes: number;
  fits: boolean;
  detail: string;
}

/** The kind the Models page lists the sentence embedder as. */
const EMBEDDER = 'sentence embedder';
const UNLOADED: ModelLoadState = { model: 'unloaded', context: 'unloaded', adapter: 'none' };

export interface ModelManager {
  list(): ManagedModel[];
  load(key: string): Promise<ManagedModel>;
  unload(key: string): Promise<ManagedModel>;
  tryCompress(key: string | null, text: string, options?: Omit<CompressOptions, 'model'>): Promise<CompressResult>;
  fit(key: string, contextSize?: number): Promise<FitEstimate>;
  /** Fetches a GGUF (https or http URL, or hf:owner/repo/file) into the project's models folder. */
  download(
    url: string,
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<ManagedModel>;
  dispose(): Promise<void>;
}

export function createModelManager(
  db: Db,
  projectDir: string,
  options: { downloads?: DownloadPolicy } = {},
): ModelManager {
  const base = getCompressor();
  // One compressor per project model: its only model stage is that GGUF, prompted as trained.
  const own = new Map<number, Compressor>();
  const ownCompressor = (id: number, path: string) => {
    let c = own.get(id);
    if (!c) {
      const model = { kind: 'generate' as const, path, adapter: null };
      c = getCompressor({
        override: {
          models: { [`project-${id}`]: model },
          pipelines: {
            nl: ['rules', `project-${id}`],
            chat: ['rules', `project-${id}`],
            mixed: ['rules', `project-${id}`],
            code: ['rules', 'code-path'],
          },
        },
      });
      own.set(id, c);
    }
    return c;
  };
  const sizeOf = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return null;
    }
  };

  const list = (): ManagedModel[] => {
    const fromConfig = base.models().map((m) => ({
      key: `config:${m.name}`,
      name: m.name,
      kind:
        m.kind === 'prune'
          ? 'pruner'
          : m.kind === 'classify'
            ? 'token classifier'
            : m.adapter
              ? 'gguf + adapter'
              : 'gguf',
      path: m.path,
      exists: m.exists,
      bytes: m.bytes,
      base: null,
      quantization: null,
      state: m.state,
      domains: m.domains,
    }));
    // Every model the project made: GGUFs load here; adapters are listed with their base (a GGUF
    // LoRA is applied through configs/inference.yaml's `adapter`, MLX and PEFT ones are for export).
    const fromProject = listModels(db).map((m) => {
      const c = own.get(m.id);
      const info = c?.models().find((x) => x.name === `project-${m.id}`);
      return {
        key: `project:${m.id}`,
        name: m.name,
        kind: m.kind,
        path: m.path,
        exists: existsSync(m.path),
        bytes: m.sizeBytes ?? sizeOf(m.kind === 'onnx-classifier' ? join(m.path, 'model.onnx') : m.path),
        base: m.base,
        quantization: m.quantization,
        state: info?.state ?? UNLOADED,
        domains: [],
      };
    });
    return [...fromConfig, embedderRow(), ...fromProject];
  };
  // The sentence embedder query-aware selection ranks with (review: the Models page did not list it,
  // so whether it was there showed only by pressing Pull). It loads at the first question.
  const embedderRow = (): ManagedModel => {
    const path = base.config.query.embedder;
    const exists = embedderPresent(path);
    const file = exists && !statSync(path).isFile() ? join(path, 'model.onnx') : path;
    return {
      key: 'config:embedder',
      name: 'embedder',
      kind: EMBEDDER,
      path,
      exists,
      bytes: exists ? sizeOf(file) : null,
      base: 'all-MiniLM-L6-v2',
      quantization: null,
      state: { model: 'none', context: 'none', adapter: 'none' },
      domains: ['questions'],
    };
  };
  const find = (key: string) => {
    const m = list().find((x) => x.key === key);
    if (!m) throw new NotFoundError(`no model ${key}`);
    return m;
  };
  const compressorFor = (key: string): { c: Compressor; name: string } => {
    const m = find(key);
    if (m.kind === EMBEDDER)
      throw new InputError('the embedder ranks the units of a memory for a question; it loads at the first one');
    if (m.kind !== 'gguf' && m.kind !== 'pruner' && !key.startsWith('config:'))
      throw new InputError(`${m.name} is a ${m.kind}: load its base model with the adapter instead`);
    if (key.startsWith('config:')) return { c: base, name: m.name };
    const id = Number(key.slice('project:'.length));
    return { c: ownCompressor(id, m.path), name: `project-${id}` };
  };

  return {
    list,
    async load(key) {
      const { c, name } = compressorFor(key);
      await c.warm(name);
      return find(key);
    },
    async unload(key) {
      if (key.startsWith('project:')) {
        const id = Number(key.slice('project:'.length));
        await own.get(id)?.dispose();
        own.delete(id);
      } else {
        // The config's compressor holds every pipeline model: unloading one unloads them all,
        // and each loads again at its next use.
        await base.dispose();
      }
      return find(key);
    },
    async tryCompress(key, text, options = {}) {
      if (key === null) return base.compress(text, { ...options, model: 'none' });
      const { c, name } = compressorFor(key);
      return c.compress(text, { ...options, model: name });
    },
    async fit(key, asked) {
      const m = find(key);
      if (m.kind === EMBEDDER) throw new InputError('the embedder is small (about 90 MB of ONNX): it fits');
      // The context the model will run with: configs/inference.yaml's for its models (review: the
      // pruner's estimate said 4096 tokens where it runs with 2048), else 4096.
      const entry = key.startsWith('config:') ? base.config.models[m.name] : undefined;
      const contextSize = asked ?? (entry && 'contextSize' in entry ? entry.contextSize : undefined) ?? 4096;
      if (!m.exists) throw new InputError(`no model file at ${m.path}`);
      const { readGgufFileInfo, GgufInsights } = await import('node-llama-cpp');
      const llama = await sharedLlama();
      const info = await readGgufFileInfo(m.path);
      const insights = await GgufInsights.from(info, llama);
      const model = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
      const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: 0 });
      const needed = model.cpuRam + model.gpuVram + context.cpuRam + context.gpuVram;
      const free = freemem();
      const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
      return {
        neededBytes: needed,
        freeBytes: free,
        totalBytes: totalmem(),
        fits: needed < free * 0.9,
        detail: `model ${gib(model.cpuRam + model.gpuVram)} + a ${contextSize}-token context ${gib(context.cpuRam + context.gpuVram)} = ${gib(needed)}; ${gib(free)} free of ${gib(totalmem())}`,
      };
    },
    async download(url, o) {
      // https only, each redirect checked, size-capped, kept only when it is a GGUF (download.ts).
      const path = await downloadGguf(url, {
        dir: join(projectDir, 'models'),
        policy: options.downloads ?? loadSecurityConfig().downloads,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
      const id = registerModel(db, { name: basename(path), kind: 'gguf', path, metadata: { url } });
      return find(`project:${id}`);
    },
    async dispose() {
      for (const c of own.values()) await c.dispose();
      own.clear();
    },
  };
}
