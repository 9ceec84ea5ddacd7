import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appRoot } from '../app-root.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { droppedSpans } from './checks.ts';
import { type Compressor, type CompressResult, createCompressor } from './compress.ts';
import { type InferenceConfig, type InferenceConfigInput, parseInferenceConfig } from './config.ts';
import { type RunningService, startCompressorService } from './service.ts';

/**
 * The compressor with a real local model: SmolLM2-135M (not fine-tuned, so its output is often
 * refused: the test is that every refusal is one of the fallback rules, with the rules result).
 * Short texts and small token limits keep it to seconds on two shared cores; one thread, because
 * llama.cpp's spinning threads slow to a crawl when another process holds a core.
 */

const TEXTS = [
  'Basically, I just wanted to let you know that the meeting with Alice Johnson has been moved to March 3rd, 2025 at 10:30 am in room 42.',
  'Caroline: Hey Mel! I went to the LGBTQ support group yesterday and it was really, really powerful.\nMelanie: Oh wow, that is awesome, Caroline! I painted a lake sunrise on 8 May 2022.',
  'To be honest, the deployment on Friday failed because the database password in config.yaml had expired; Bob rotated it at 4 pm.',
];

const path = ensureSmolLM2();

/**
 * A LoRA adapter GGUF for SmolLM2 (rank 4 on q_proj/v_proj, small random weights), made with
 * llama.cpp's convert_lora_to_gguf.py from the converter venv the training issue sets up; undefined
 * when that venv is absent. Made once into .cache/models.
 */
function smolLora(): string | undefined {
  const root = appRoot();
  const out = join(root, '.cache', 'models', 'smollm2-test-lora.gguf');
  if (existsSync(out)) return out;
  const python = join(root, '.cache', 'convert', 'venv', 'bin', 'python');
  const script = join(root, '.cache', 'convert', 'llama.cpp', 'convert_lora_to_gguf.py');
  if (!existsSync(python) || !existsSync(script)) return undefined;
  const dir = join(root, '.cache', 'models', `lora-work-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'make.py'),
    `import json, sys
from pathlib import Path
import torch
from safetensors.torch import save_file
out = Path(sys.argv[1]); base = out / "base"; peft = out / "peft"
base.mkdir(exist_ok=True); peft.mkdir(exist_ok=True)
(base / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
  "num_key_value_heads": 3, "vocab_size": 49152, "max_position_embeddings": 8192, "rms_norm_eps": 1e-5,
  "rope_theta": 100000, "tie_word_embeddings": True, "torch_dtype": "bfloat16", "head_dim": 64}))
g = torch.Generator().manual_seed(1); t = {}
for i in range(30):
    for name, (o, n) in {"q_proj": (576, 576), "v_proj": (192, 576)}.items():
        k = f"base_model.model.model.layers.{i}.self_attn.{name}"
        t[k + ".lora_A.weight"] = torch.randn(4, n, generator=g) * 0.01
        t[k + ".lora_B.weight"] = torch.randn(o, 4, generator=g) * 0.01
save_file(t, str(peft / "adapter_model.safetensors"))
(peft / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "SmolLM2-135M-Instruct",
  "peft_type": "LORA", "r": 4, "lora_alpha": 4, "target_modules": ["q_proj", "v_proj"]}))
`,
  );
  execFileSync(python, [join(dir, 'make.py'), dir], { stdio: 'ignore' });
  const tmp = join(dir, 'adapter.gguf');
  execFileSync(python, [script, '--base', join(dir, 'base'), '--outfile', tmp, '--outtype', 'f16', join(dir, 'peft')], {
    stdio: 'ignore',
  });
  renameSync(tmp, out);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function smolConfig(extra: InferenceConfigInput = {}) {
  return parseInferenceConfig({
    models: {
      smol: { kind: 'generate', path, contextSize: 512, sequences: 3, maxOutputTokens: 48, threads: 1 },
      ...extra.models,
    },
    pipelines: { nl: ['rules', 'smol'], chat: ['rules', 'smol'], code: ['rules'], mixed: ['rules', 'smol'] },
    limits: { modelTimeoutMs: 60_000 },
    ...extra,
  });
}

/** The `smol` model alone on one sequence, with its output limit (and adapter) as given. */
function oneSequence(fields: { maxOutputTokens: number; adapter?: string }): InferenceConfigInput {
  return { models: { smol: { kind: 'generate', path, contextSize: 512, sequences: 1, threads: 1, ...fields } } };
}

/** Runs `use` on a new compressor and disposes of it, whatever happened. */
async function withCompressor(config: InferenceConfig, use: (c: Compressor) => Promise<void>): Promise<void> {
  const c = createCompressor(config);
  try {
    await use(c);
  } finally {
    await c.dispose();
  }
}

/** The named model ran on the text (its stage evaluated tokens), never refused as an error. */
async function expectRuns(c: Compressor, model: string, text: string, ratio?: number): Promise<void> {
  const r = await c.compress(text, { model, ...(ratio ? { ratio } : {}) });
  expect(r.fallback?.reason, model).not.toBe('error');
  expect(r.timings.find((t) => t.stage === model)?.modelTokens, model).toBeGreaterThan(0);
}

const REASONS = ['empty', 'longer', 'truncated', 'dropped-protected'];

describe('with SmolLM2', () => {
  const compressor = createCompressor(smolConfig());
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startCompressorService({ compressor, port: 0, token: 't' });
  });
  afterAll(async () => {
    await svc.close();
    await compressor.dispose();
  });

  it('compresses a batch through the service; every refusal follows the fallback rules', async () => {
    const res = await fetch(`${svc.url}/v1/compress`, {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
      body: JSON.stringify({ texts: TEXTS }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: CompressResult[] };
    expect(results).toHaveLength(3);
    for (const [i, r] of results.entries()) {
      const rules = await compressor.compress(TEXTS[i] as string, { model: 'none' });
      expect(r.pipeline).toEqual(['rules', 'smol']);
      const modelStage = r.timings.find((t) => t.stage === 'smol');
      expect(modelStage?.ms).toBeGreaterThan(0);
      if (r.fallback) {
        expect(REASONS).toContain(r.fallback.reason);
        expect(r.fallback.model).toBe('SmolLM2-135M-Instruct.Q4_1.gguf');
        expect(r.strategy).toBe('rules');
        expect(r.text).toBe(rules.text);
      } else {
        expect(r.strategy).toBe('rules+smol');
        expect(r.model).toBe('SmolLM2-135M-Instruct.Q4_1.gguf');
        expect(r.tokensAfter).toBeLessThanOrEqual(rules.tokensAfter);
      }
      // Protected spans survive whatever happened.
      expect(droppedSpans(rules.text, r.text, compressor.config.fallback.protect)).toEqual([]);
    }
    const state = compressor.models().find((m) => m.name === 'smol')?.state;
    expect(state).toMatchObject({ model: 'ready', context: 'ready', adapter: 'none' });
  });

  it('refuses an output cut off at the token limit', async () => {
    await withCompressor(smolConfig(oneSequence({ maxOutputTokens: 2 })), async (tiny) => {
      const r = await tiny.compress(TEXTS[0] as string);
      expect(r.fallback?.reason).toBe('truncated');
      expect(r.fallback?.detail).toMatch(/token limit/);
      expect(r.text).toContain('Alice Johnson');
      expect(r.timings.find((t) => t.stage === 'smol')?.refused).toBe(true);
    });
  });

  const lora = smolLora();
  // In CI the converter venv is there: a LoRA that cannot be made is a failure, not a skip.
  it.skipIf(!lora && !process.env.CI)('applies a LoRA adapter to the base model', async () => {
    expect(lora, 'the LoRA adapter could not be made (llama.cpp converter venv)').toBeTruthy();
    await withCompressor(smolConfig(oneSequence({ maxOutputTokens: 24, adapter: lora })), async (c) => {
      const r = await c.compress(TEXTS[0] as string);
      expect(r.fallback?.reason).not.toBe('error');
      expect(r.timings.find((t) => t.stage === 'smol')?.modelTokens).toBeGreaterThan(0);
      expect(c.models()[0]?.state).toMatchObject({ model: 'ready', context: 'ready', adapter: 'ready' });
      expect(r.fallback?.model ?? r.model).toBe('SmolLM2-135M-Instruct.Q4_1.gguf+smollm2-test-lora.gguf');
    });
  });

  it('says the adapter step failed when the adapter is not a LoRA, and unloads when idle', async () => {
    // A GGUF, but a whole model rather than an adapter: the model loads, the adapter does not.
    const notAnAdapter = oneSequence({ maxOutputTokens: 8, adapter: path });
    await withCompressor(smolConfig({ ...notAnAdapter, idleUnloadSeconds: 0.5 }), async (c) => {
      const r = await c.compress(TEXTS[2] as string);
      expect(r.fallback?.reason).toBe('error');
      expect(r.fallback?.detail).toMatch(/at the adapter step: .* is a GGUF of type "model", not a LoRA adapter/);
      const info = c.models()[0];
      expect(info?.state).toMatchObject({ model: 'unloaded', adapter: 'failed', error: { step: 'adapter' } });
    });
    await withCompressor(smolConfig({ idleUnloadSeconds: 0.5 }), async (idle) => {
      await idle.warm('smol');
      expect(idle.models()[0]?.state.context).toBe('ready');
      await sleep(1200);
      expect(idle.models()[0]?.state.context).toBe('unloaded');
    });
  });
});

describe('the pruner on the Models page', () => {
  it('loads when asked to, as the other models do (review: Load did nothing, its state stayed "unloaded")', async () => {
    const config = parseInferenceConfig({
      models: { pruner: { kind: 'prune', path, contextSize: 512, threads: 1 } },
      pipelines: { nl: ['rules', 'pruner'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
    });
    await withCompressor(config, async (c) => {
      expect(c.models()[0]?.state.model).toBe('unloaded');
      const info = await c.warm('pruner');
      expect(info?.state.model).toBe('ready');
    });
  });
});

describe('a LoRA adapter that fails to load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adapter-'));
  const one = { kind: 'generate', path, contextSize: 512, sequences: 1, maxOutputTokens: 8, threads: 1 } as const;
  const pair = (adapter: string) => `SmolLM2-135M-Instruct.Q4_1.gguf+${basename(adapter)}`;
  const withModels = (models: InferenceConfigInput['models']) =>
    parseInferenceConfig({
      models,
      pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
      limits: { modelTimeoutMs: 60_000 },
    });

  it('leaves its model file usable: the same GGUF runs as a pruner and as a generator without the adapter', async () => {
    const broken = join(dir, 'broken-a.gguf');
    writeFileSync(broken, 'not a LoRA adapter');
    const config = withModels({
      broken: { ...one, adapter: broken },
      plain: one,
      pruner: { kind: 'prune', path, threads: 1, contextSize: 512 },
    });
    await withCompressor(config, async (c) => {
      const failed = await c.compress(TEXTS[0] as string, { model: 'broken' });
      expect(failed.fallback).toMatchObject({ stage: 'broken', reason: 'error', model: pair(broken) });
      expect(failed.fallback?.detail).toMatch(/at the adapter step: .*broken-a\.gguf is not a GGUF LoRA adapter/);
      // Before: every stage on SmolLM2's file was refused from here on, "(not retried until the file changes)".
      await expectRuns(c, 'pruner', TEXTS[0] as string, 0.5);
      await expectRuns(c, 'plain', TEXTS[0] as string);
      expect(c.models().find((m) => m.name === 'plain')?.state).toMatchObject({ context: 'ready', adapter: 'none' });
    });
  });

  it('is refused, naming the adapter, without another load until the adapter file changes', async () => {
    const broken = join(dir, 'broken-b.gguf');
    writeFileSync(broken, 'not a LoRA adapter');
    await withCompressor(withModels({ broken: { ...one, adapter: broken } }), async (c) => {
      const failed = await c.compress(TEXTS[0] as string, { model: 'broken' });
      expect(failed.fallback?.detail).toMatch(/at the adapter step: .*broken-b\.gguf is not a GGUF LoRA adapter/);
      const again = await c.compress(TEXTS[1] as string, { model: 'broken' });
      expect(again.fallback).toMatchObject({ stage: 'broken', reason: 'error', model: pair(broken) });
      expect(again.fallback?.detail).toMatch(
        /broken-b\.gguf is not a GGUF LoRA adapter .*\(not retried until the adapter file or the model file changes\)$/,
      );
      // Another adapter file at that path is tried (before: not until SmolLM2's own file changed).
      writeFileSync(broken, 'another file, still not a LoRA adapter');
      const replaced = await c.compress(TEXTS[2] as string, { model: 'broken' });
      expect(replaced.fallback?.detail).toMatch(/at the adapter step: .*broken-b\.gguf is not a GGUF LoRA adapter/);
      expect(replaced.fallback?.detail).not.toMatch(/not retried/);
    });
  });
});

describe('a context that cannot be made', () => {
  const one = { kind: 'generate', path, contextSize: 512, sequences: 1, maxOutputTokens: 8, threads: 1 } as const;
  const config = parseInferenceConfig({
    models: {
      big: { ...one, contextSize: 1024 },
      small: one,
      pruner: { kind: 'prune', path, threads: 1, contextSize: 512 },
    },
    pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
    limits: { modelTimeoutMs: 60_000 },
  });

  it('is remembered against the file with those settings: the same file with others, and the pruner, still run', async () => {
    // llama.cpp refusing a context (as it does one too large for the memory), once: the next
    // context made, with any settings, is real.
    const spy = vi
      .spyOn(LlamaModel.prototype, 'createContext')
      .mockRejectedValueOnce(new Error('failed to create context: not enough memory for the KV cache'));
    try {
      await withCompressor(config, async (c) => {
        const failed = await c.compress(TEXTS[0] as string, { model: 'big' });
        expect(failed.fallback).toMatchObject({ stage: 'big', reason: 'error' });
        expect(failed.fallback?.detail).toMatch(/at the context step: failed to create context: not enough memory/);
        // Before: every stage on SmolLM2's file was refused from here on, "(not retried until the file changes)".
        await expectRuns(c, 'pruner', TEXTS[0] as string, 0.5);
        await expectRuns(c, 'small', TEXTS[1] as string);
        // The failed settings are not tried again (no load, no context) until the file or they change.
        const calls = spy.mock.calls.length;
        const again = await c.compress(TEXTS[2] as string, { model: 'big' });
        expect(again.fallback).toMatchObject({ stage: 'big', reason: 'error' });
        expect(again.fallback?.detail).toMatch(
          /not enough memory.*\(not retried until the file or its context settings \(contextSize, sequences\) change\)$/,
        );
        expect(spy.mock.calls.length).toBe(calls);
        expect(c.models().find((m) => m.name === 'big')?.state.model).not.toBe('ready');
      });
    } finally {
      spy.mockRestore();
    }
  });
});
