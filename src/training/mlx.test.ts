import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingSystemPrompt } from '../contracts/compressor-prompt.ts';
import type { LocalTrainingConfig, TrainingEvent } from '../contracts/training.ts';
import { InputError, WorkerCrashedError } from '../errors/index.ts';
import { createLocalProvider } from '../providers/local/provider.ts';
import { TINY_PAIRS, writeTinyChatDataset } from './__fixtures__/tiny-chat-dataset.ts';
import { ensureHfCheckpoint } from './hf-checkpoint.ts';
import { ensureMlxVenv, fuseAndExportGguf, startMlxTraining } from './mlx.ts';

/** A few short steps: SmolLM2-135M on 2 CPU cores does ~50-80 tokens/s with OpenBLAS, ~5 without. */
const quick = (baseModel: string, over: Partial<LocalTrainingConfig> = {}): Partial<LocalTrainingConfig> => ({
  baseModel,
  iters: 6,
  batchSize: 1,
  learningRate: 1e-4,
  maxSeqLength: 256,
  stepsPerReport: 1,
  stepsPerEval: 100,
  valBatches: 2,
  saveEvery: 3,
  ...over,
});

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'studio-mlx-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('startMlxTraining: the protocol, against stand-in drivers', () => {
  const standIn = (code: string) => [process.execPath, '-e', code] as const;
  const run = (code: string) => {
    const events: TrainingEvent[] = [];
    const r = startMlxTraining({
      dataDir: root,
      outDir: join(root, 'out'),
      config: {},
      onEvent: (e) => events.push(e),
      command: standIn(code),
    });
    return { events, done: r.done };
  };

  it('streams parsed events and resolves on done', async () => {
    const { events, done } = run(`
      const out = (e) => console.log(JSON.stringify(e));
      out({ type: 'start', runner: 'mlx', baseModel: 'm', totalIters: 2 });
      out({ type: 'train', iter: 1, loss: 2 });
      out({ type: 'done', iter: 2, adapterPath: '/a/adapters.safetensors' });`);
    await expect(done).resolves.toEqual({ adapterPath: '/a/adapters.safetensors', lastIter: 2, cancelled: false });
    expect(events.map((e) => e.type)).toEqual(['start', 'train', 'done']);
    expect(events[0]).toMatchObject({ startIter: 0 });
  });

  it('treats a stdout line that is not an event as a protocol error, quoting it', async () => {
    const { events, done } = run(`console.log('Loading pretrained model'); setTimeout(() => {}, 5000);`);
    await expect(done).rejects.toThrow(/not a training event: Loading pretrained model/);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
  });

  it('reports a crash with the tail of stderr', async () => {
    const { events, done } = run(`console.error('Traceback ...\\nRuntimeError: out of memory'); process.exit(3);`);
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).message).toMatch(/exit code 3[\s\S]*RuntimeError: out of memory/);
    expect(events.at(-1)?.type).toBe('error');
  });

  it('refuses a bad config before spawning anything', () => {
    const start = () =>
      startMlxTraining({
        dataDir: root,
        outDir: root,
        config: { iters: 0 },
        onEvent: () => undefined,
        command: ['false'],
      });
    expect(start).toThrow(InputError);
    expect(start).toThrow(/field "iters"/);
  });

  it("turns the driver's bad-input error (exit code 2) into an InputError", async () => {
    const { done } = run(
      `console.log(JSON.stringify({ type: 'error', message: 'train.jsonl:3: not valid JSON' })); process.exit(2);`,
    );
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('train.jsonl:3: not valid JSON');
  });

  it('a cancelled trainer that ignores SIGTERM is killed after the grace period and keeps its last checkpoint', async () => {
    const events: TrainingEvent[] = [];
    const r = startMlxTraining({
      dataDir: root,
      outDir: join(root, 'out'),
      config: {},
      cancelGraceMs: 300,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'checkpoint') r.cancel();
      },
      command: standIn(`
        process.on('SIGTERM', () => {});
        const out = (e) => console.log(JSON.stringify(e));
        out({ type: 'start', runner: 'mlx', baseModel: 'm', totalIters: 9, startIter: 4 });
        out({ type: 'checkpoint', iter: 6, path: '/a/0000006_adapters.safetensors' });
        setInterval(() => {}, 1000);`),
    });
    await expect(r.done).resolves.toEqual({
      adapterPath: '/a/0000006_adapters.safetensors',
      lastIter: 6,
      cancelled: true,
    });
  });

  it('a cancel before the trainer starts spawns nothing and keeps the adapter it would resume from', async () => {
    const marker = join(root, 'spawned');
    const controller = new AbortController();
    controller.abort();
    const r = startMlxTraining({
      dataDir: root,
      outDir: join(root, 'out'),
      config: {},
      resumeAdapter: join(root, 'prev', 'adapters.safetensors'),
      signal: controller.signal,
      onEvent: () => undefined,
      command: standIn(`require('node:fs').writeFileSync(${JSON.stringify(marker)}, '')`),
    });
    await expect(r.done).resolves.toEqual({
      adapterPath: join(root, 'prev', 'adapters.safetensors'),
      lastIter: 0,
      cancelled: true,
    });
    expect(existsSync(marker)).toBe(false);
  });
});

describe('MLX LoRA training on SmolLM2-135M (real, CPU)', () => {
  let base: string;
  let data: string;
  let trained: { adapterDir: string; events: TrainingEvent[] } | undefined;

  beforeAll(async () => {
    await ensureMlxVenv();
    base = await ensureHfCheckpoint();
    data = writeTinyChatDataset(join(root, 'data'));
  }, 40 * 60_000);

  it(
    'trains a few steps: the loss goes down, checkpoints and the adapter are written',
    async () => {
      const events: TrainingEvent[] = [];
      const outDir = join(root, 'run1');
      const result = await startMlxTraining({
        dataDir: data,
        outDir,
        config: quick(base),
        onEvent: (e) => events.push(e),
      }).done;
      expect(result).toEqual({ adapterPath: join(outDir, 'adapters.safetensors'), lastIter: 6, cancelled: false });
      expect(existsSync(result.adapterPath)).toBe(true);
      expect(events[0]?.type).toBe('log'); // what it loads, on which device
      expect(events.find((e) => e.type === 'start')).toMatchObject({ runner: 'mlx', totalIters: 6, startIter: 0 });
      const train = events.filter((e) => e.type === 'train');
      expect(train.map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(train[0]?.loss).toBeGreaterThan(train.at(-1)?.loss ?? Number.POSITIVE_INFINITY);
      for (const e of train) {
        expect(e.tokensPerSec).toBeGreaterThan(0);
        expect(e.learningRate).toBeCloseTo(1e-4);
        expect(e.peakMemoryGb).toBeGreaterThan(0);
      }
      expect(train.at(-1)?.trainedTokens).toBeGreaterThan(100);
      const val = events.filter((e) => e.type === 'val');
      expect(val.map((e) => e.iter)).toEqual([0, 5]);
      expect(val[0]?.loss).toBeGreaterThan(val.at(-1)?.loss ?? Number.POSITIVE_INFINITY);
      expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.iter)).toEqual([3, 6]);
      expect(existsSync(join(outDir, '0000003_adapters.safetensors'))).toBe(true);
      expect(events.at(-1)?.type).toBe('done');
      trained = { adapterDir: outDir, events };
    },
    20 * 60_000,
  );

  it(
    'fuses the adapter into a GGUF that node-llama-cpp loads and generates with',
    async () => {
      if (!trained) throw new Error('needs the adapter of the training test');
      const gguf = await fuseAndExportGguf({
        baseModel: base,
        adapterDir: trained.adapterDir,
        outFile: join(root, 'smollm2-lora.gguf'),
      });
      expect(existsSync(gguf)).toBe(true);
      expect(existsSync(`${gguf}.fused`)).toBe(false);
      const local = createLocalProvider({ modelPath: gguf, contextSize: 512, threads: 1 });
      try {
        const [original] = TINY_PAIRS[0] ?? [];
        const res = await local.complete({
          model: 'smollm2-lora',
          system: trainingSystemPrompt('nl'),
          messages: [{ role: 'user', content: original ?? '' }],
          maxTokens: 16,
          temperature: 0,
        });
        expect(res.text.length).toBeGreaterThan(0);
        expect(res.usage.outputTokens).toBeGreaterThan(0);
      } finally {
        await local.dispose();
      }
    },
    20 * 60_000,
  );

  it(
    'stops cleanly on cancel, keeping a checkpoint, and resumes from that iteration',
    async () => {
      const outDir = join(root, 'run2');
      const first: TrainingEvent[] = [];
      const run = startMlxTraining({
        dataDir: data,
        outDir,
        config: quick(base, { saveEvery: 100 }),
        onEvent: (e) => {
          first.push(e);
          if (e.type === 'train' && e.iter === 2) run.cancel();
        },
      });
      const stopped = await run.done;
      expect(stopped.cancelled).toBe(true);
      expect(stopped.lastIter).toBeGreaterThanOrEqual(2);
      expect(stopped.lastIter).toBeLessThan(6);
      expect(existsSync(stopped.adapterPath)).toBe(true);
      expect(first.at(-2)).toEqual({
        type: 'checkpoint',
        iter: stopped.lastIter,
        path: join(outDir, `${String(stopped.lastIter).padStart(7, '0')}_adapters.safetensors`),
      });

      const second: TrainingEvent[] = [];
      const resumed = await startMlxTraining({
        dataDir: data,
        outDir,
        config: quick(base, { saveEvery: 100 }),
        resumeAdapter: stopped.adapterPath,
        onEvent: (e) => second.push(e),
      }).done;
      expect(second.find((e) => e.type === 'start')).toMatchObject({ startIter: stopped.lastIter, totalIters: 6 });
      const iters = second.flatMap((e) => (e.type === 'train' ? [e.iter] : []));
      expect(iters[0]).toBe(stopped.lastIter + 1);
      expect(iters.at(-1)).toBe(6);
      expect(resumed).toEqual({ adapterPath: join(outDir, 'adapters.safetensors'), lastIter: 6, cancelled: false });
    },
    20 * 60_000,
  );

  it('names the file and line of a corrupt dataset line', async () => {
    const bad = writeTinyChatDataset(join(root, 'bad'), {
      at: 3,
      text: '{"messages": [{"role": "user", "content": "hi"',
    });
    const events: TrainingEvent[] = [];
    const done = startMlxTraining({
      dataDir: bad,
      outDir: join(root, 'run3'),
      config: quick(base),
      onEvent: (e) => events.push(e),
    }).done;
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/train\.jsonl:3: not valid JSON/);
    expect(events).toEqual([{ type: 'error', message: (error as Error).message }]);
  }, 120_000);
});
