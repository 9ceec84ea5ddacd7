import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { ProviderCallError } from '../errors/index.ts';
import { sharedLlama } from '../providers/local/llama.ts';
import { isGguf } from './model-availability.ts';

/**
 * A local generative GGUF kept warm for the compressor: loaded once per process (model, then
 * context, then the LoRA adapter on the context), its `sequences` shared by every caller so
 * several texts generate in parallel in one batch, and unloaded after it sat idle. The load state
 * is kept per step, so a failure says whether the model, the context or the adapter failed.
 */

export type LoadStep = 'model' | 'context' | 'adapter';
export type StepState = 'unloaded' | 'loading' | 'ready' | 'failed' | 'none';

export interface ModelLoadState {
  model: StepState;
  context: StepState;
  /** `none` when no adapter is configured. */
  adapter: StepState;
  error?: { step: LoadStep; message: string };
  loadedAt?: string;
  loadMs?: number;
}

export class ModelLoadError extends ProviderCallError {
  override name = 'ModelLoadError';
  readonly step: LoadStep;
  constructor(step: LoadStep, message: string, cause?: unknown) {
    super(`loading failed at the ${step} step: ${message}`, { retryable: false, cause });
    this.step = step;
  }
}

export interface LocalModelOptions {
  path: string;
  adapter?: string | null;
  contextSize: number;
  sequences: number;
  /** 0: every core. */
  threads?: number;
  idleUnloadSeconds: number;
}

export interface GenerateRequest {
  system: string;
  prompt: string;
  maxTokens: number;
  /** Stops the generation; a call still waiting for a free sequence leaves the queue and never runs. */
  signal?: AbortSignal;
  /**
   * Called when this call gets a sequence (after the calls queued for one): a caller's timeout
   * starts here, so it measures this call's model work and not its wait.
   */
  onStart?: () => void;
}

export interface GenerateResult {
  text: string;
  stopReason: string;
  inputTokens: number;
  outputTokens: number;
  ms: number;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  free: LlamaContextSequence[];
}

export { sharedLlama };

/** The GGUF's `general.type` ("model", "adapter"), or "unreadable". */
async function adapterType(path: string): Promise<string> {
  try {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false, sourceType: 'filesystem' });
    const general = (info.metadata as { general?: { type?: unknown } }).general;
    return typeof general?.type === 'string' ? general.type : 'adapter';
  } catch {
    return 'unreadable';
  }
}

/** How reports name a generator: the model file, and the adapter on it ("base.gguf+lora.gguf"). */
export function modelLabel(path: string, adapter?: string | null): string {
  return adapter ? `${basename(path)}+${basename(adapter)}` : basename(path);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LocalModel {
  readonly label: string;
  private loading: Promise<Loaded> | undefined;
  private waiters: ((s: LlamaContextSequence) => void)[] = [];
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly stateValue: ModelLoadState;

  constructor(private readonly options: LocalModelOptions) {
    this.label = modelLabel(options.path, options.adapter);
    this.stateValue = { model: 'unloaded', context: 'unloaded', adapter: options.adapter ? 'unloaded' : 'none' };
  }

  get state(): ModelLoadState {
    return { ...this.stateValue, ...(this.stateValue.error ? { error: { ...this.stateValue.error } } : {}) };
  }

  get loaded(): boolean {
    return this.stateValue.context === 'ready';
  }

  private fail(step: LoadStep, msg: string, cause?: unknown): never {
    this.stateValue[step] = 'failed';
    this.stateValue.error = { step, message: msg };
    throw new ModelLoadError(step, msg, cause);
  }

  /** Loads (once; a failed load is retried by the next call). */
  load(): Promise<Loaded> {
    this.loading ??= this.doLoad();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const t0 = performance.now();
    const { path, adapter } = this.options;
    const s = this.stateValue;
    s.error = undefined;
    s.model = 'loading';
    s.context = 'unloaded';
    if (adapter) s.adapter = 'unloaded';
    if (!existsSync(path)) this.fail('model', `no model file at ${path}`);
    if (!isGguf(path)) this.fail('model', `${path} is not a GGUF file`);
    let llama: Llama;
    let model: LlamaModel;
    try {
      llama = await sharedLlama();
      model = await llama.loadModel({ modelPath: path });
    } catch (cause) {
      this.fail('model', message(cause), cause);
    }
    s.model = 'ready';
    if (adapter) {
      if (!existsSync(adapter)) {
        await model.dispose();
        s.model = 'unloaded';
        this.fail('adapter', `no adapter file at ${adapter}`);
      }
      if (!isGguf(adapter)) {
        await model.dispose();
        s.model = 'unloaded';
        this.fail('adapter', `${adapter} is not a GGUF LoRA adapter (convert it with convert_lora_to_gguf.py)`);
      }
      // A whole model passed as an adapter (or an adapter for another architecture) is caught
      // before the context is made, by the file's own metadata.
      const kind = await adapterType(adapter);
      if (kind !== 'adapter') {
        await model.dispose();
        s.model = 'unloaded';
        this.fail('adapter', `${adapter} is a GGUF of type "${kind}", not a LoRA adapter`);
      }
      s.adapter = 'loading';
    }
    s.context = 'loading';
    const threads = this.options.threads || availableParallelism();
    const base = {
      contextSize: this.options.contextSize,
      sequences: this.options.sequences,
      threads,
      batchSize: Math.min(this.options.contextSize, 512 * this.options.sequences),
    };
    let context: LlamaContext;
    try {
      context = await model.createContext({
        ...base,
        ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
      });
    } catch (cause) {
      // With an adapter, which of the two failed? A context without it tells.
      if (adapter) {
        const plain = await model.createContext({ ...base, sequences: 1 }).catch(() => undefined);
        if (plain) {
          await plain.dispose();
          await model.dispose();
          s.model = 'unloaded';
          s.context = 'unloaded';
          this.fail('adapter', message(cause), cause);
        }
      }
      await model.dispose();
      s.model = 'unloaded';
      this.fail('context', message(cause), cause);
    }
    s.context = 'ready';
    if (adapter) s.adapter = 'ready';
    s.loadedAt = new Date().toISOString();
    s.loadMs = performance.now() - t0;
    const free: LlamaContextSequence[] = [];
    while (context.sequencesLeft > 0) free.push(context.getSequence());
    this.armIdle();
    return { model, context, free };
  }

  private acquire(loaded: Loaded, signal?: AbortSignal): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    const seq = loaded.free.pop();
    if (seq) return Promise.resolve(seq);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter = (s: LlamaContextSequence) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(s);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(loaded: Loaded, seq: LlamaContextSequence): void {
    const next = this.waiters.shift();
    if (next) next(seq);
    else loaded.free.push(seq);
  }

  /** Model tokens of a text (loads the model). */
  async countTokens(text: string): Promise<number> {
    const loaded = await this.load();
    return loaded.model.tokenize(text).length;
  }

  /**
   * One chat turn (system + user) on a free sequence; calls beyond `sequences` wait for one.
   * Parallel calls are evaluated together in the context's batches.
   */
  async generate(req: GenerateRequest): Promise<GenerateResult> {
    this.active++;
    this.disarmIdle();
    try {
      const loaded = await this.load();
      const seq = await this.acquire(loaded, req.signal);
      req.onStart?.();
      const t0 = performance.now();
      try {
        await seq.clearHistory();
        const { LlamaChatSession } = await import('node-llama-cpp');
        const session = new LlamaChatSession({
          contextSequence: seq,
          systemPrompt: req.system,
          autoDisposeSequence: false,
        });
        try {
          const r = await session.promptWithMeta(req.prompt, {
            maxTokens: req.maxTokens,
            temperature: 0,
            ...(req.signal ? { signal: req.signal, stopOnAbortSignal: true } : {}),
          });
          return {
            text: r.responseText,
            stopReason: r.stopReason,
            inputTokens: loaded.model.tokenize(req.system).length + loaded.model.tokenize(req.prompt).length,
            outputTokens: r.responseText ? loaded.model.tokenize(r.responseText).length : 0,
            ms: performance.now() - t0,
          };
        } finally {
          session.dispose({ disposeSequence: false });
        }
      } finally {
        this.release(loaded, seq);
      }
    } finally {
      this.active--;
      this.armIdle();
    }
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private armIdle(): void {
    this.disarmIdle();
    if (!this.options.idleUnloadSeconds || this.active > 0 || !this.loading) return;
    this.idleTimer = setTimeout(() => {
      if (this.active === 0) void this.unload();
    }, this.options.idleUnloadSeconds * 1000);
    this.idleTimer.unref();
  }

  async unload(): Promise<void> {
    this.disarmIdle();
    const loading = this.loading;
    this.loading = undefined;
    if (!loading) return;
    const loaded = await loading.catch(() => undefined);
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
    const s = this.stateValue;
    s.model = 'unloaded';
    s.context = 'unloaded';
    if (this.options.adapter) s.adapter = 'unloaded';
  }
}
