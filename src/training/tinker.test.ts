import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRoot } from '../app-root.ts';
import type { TrainingEvent } from '../contracts/training.ts';
import { ConfigError, InputError, WorkerCrashedError } from '../errors/index.ts';
import { startTinkerTraining, type TinkerRun, type TinkerRunOptions } from './tinker.ts';

// The real worker process (native/tinker/worker.py) in the real Tinker venv, with `fakeService`:
// the worker's stand-ins for the SDK's clients (native/tinker/fake_tinker.py), since the Tinker
// service cannot be reached from here. Skipped where the venv has not been built
// (ensureTinkerVenv, or STUDIO_TINKER_PYTHON naming another one).
const python = [process.env.STUDIO_TINKER_PYTHON, join(appRoot(), '.cache', 'training', 'tinker-venv', 'bin', 'python')]
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p));

const root = mkdtempSync(join(tmpdir(), 'tinker-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const row = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You compress prose. Keep every fact.' },
      { role: 'user', content: `This is the rather long and wordy original paragraph number ${i}.` },
      { role: 'assistant', content: `Long paragraph ${i}.` },
    ],
  });

let runs = 0;
function dataset(trainLines: string[] = Array.from({ length: 8 }, (_, i) => row(i))) {
  const dir = join(root, `run-${++runs}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'train.jsonl'), `${trainLines.join('\n')}\n`);
  writeFileSync(join(dir, 'data', 'valid.jsonl'), `${[row(100), row(101)].join('\n')}\n`);
  return { dataDir: join(dir, 'data'), outDir: join(dir, 'out') };
}

/** Starts a run on a fresh dataset; `react` sees each event with the run, e.g. to cancel it. */
function start(overrides: Partial<TinkerRunOptions> = {}, react?: (e: TrainingEvent, run: TinkerRun) => void) {
  const events: TrainingEvent[] = [];
  const run: TinkerRun = startTinkerTraining({
    ...dataset(),
    config: { batchSize: 2, epochs: 2, saveEvery: 3, loraRank: 4 },
    env: {},
    fakeService: true,
    loraConverter: null,
    ...(python ? { python } : {}),
    onEvent: (e) => {
      events.push(e);
      react?.(e, run);
    },
    ...overrides,
  });
  return { run, events };
}

describe('startTinkerTraining: key check', () => {
  it('refuses to start without the key, before spawning anything', () => {
    const { outDir, dataDir } = dataset();
    const call = () =>
      startTinkerTraining({ dataDir, outDir, config: { apiKeyEnv: 'MY_TINKER_KEY' }, env: { MY_TINKER_KEY: ' ' } });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(/set MY_TINKER_KEY/);
    expect(existsSync(outDir)).toBe(false);
  });
});

// In CI every prerequisite is installed: a missing venv there is a failure, not a skip.
describe.skipIf(!python && !process.env.CI)('startTinkerTraining against the worker with the fake service', () => {
  it('streams the events, and the adapter is downloaded and converted to PEFT', async () => {
    const { run, events } = start();
    const result = await run.done;
    const train = events.filter((e) => e.type === 'train');
    expect(events.find((e) => e.type === 'start')).toMatchObject({
      runner: 'tinker',
      baseModel: 'Qwen/Qwen3-8B',
      totalIters: 8,
    });
    expect(train.map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(train.at(-1)?.loss).toBeLessThan(train[0]?.loss ?? 0);
    expect(train.every((e) => (e.tokensPerSec ?? 0) > 0 && (e.learningRate ?? 0) > 0)).toBe(true);
    expect(events.filter((e) => e.type === 'val').map((e) => e.iter)).toEqual([0, 3, 6, 8]);
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.path)).toContain(
      'tinker://fake-run-0001/weights/final',
    );
    expect(result.cancelled).toBe(false);
    expect(result.iter).toBe(8);
    expect(existsSync(join(result.adapterPath, 'adapter_model.safetensors'))).toBe(true);
    expect(result.peftPath).toBeDefined();
    const peft = JSON.parse(readFileSync(join(result.peftPath ?? '', 'adapter_config.json'), 'utf8'));
    expect(peft).toMatchObject({ peft_type: 'LORA', r: 4 });
    expect(result.ggufPath).toBeUndefined(); // no converter given
  });

  it('cancel stops at the next step, keeps the state and resolves cancelled', async () => {
    const { run, events } = start(
      { config: { batchSize: 1, epochs: 10, saveEvery: 1000 }, env: { FAKE_TINKER_STEP_SECONDS: '0.2' } },
      (e, self) => {
        if (e.type === 'train' && e.iter === 2) self.cancel();
      },
    );
    const result = await run.done;
    expect(result.cancelled).toBe(true);
    expect(result.iter).toBeGreaterThanOrEqual(2);
    expect(result.iter).toBeLessThan(5);
    expect(result.adapterPath).toBe(`tinker://fake-run-0001/weights/step-${String(result.iter).padStart(6, '0')}`);
    expect(events.at(-2)).toEqual({ type: 'checkpoint', iter: result.iter, path: result.adapterPath });
    expect(result.peftPath).toBeUndefined();
  });

  it('an aborted signal cancels the run the same way', async () => {
    const controller = new AbortController();
    const { run } = start({
      config: { batchSize: 1, epochs: 10 },
      env: { FAKE_TINKER_STEP_SECONDS: '0.2' },
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'train') controller.abort();
      },
    });
    await expect(run.done).resolves.toMatchObject({ cancelled: true });
  });

  it('a corrupt dataset line is an InputError naming the file and the line', async () => {
    const files = dataset([row(1), '{"messages": [{"role": "user", "content": "no answer"}]}', row(2)]);
    const { run, events } = start(files);
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${join(files.dataDir, 'train.jsonl')}:2:`);
    expect(events.filter((e) => e.type !== 'log').map((e) => e.type)).toEqual(['error']);
  });

  it('a model the server does not offer is an InputError listing what it offers', async () => {
    const { run } = start({
      config: { preferModels: ['Qwen/Qwen3-999B'] },
      env: { FAKE_TINKER_MODELS: 'Qwen/Qwen3-8B' },
    });
    await expect(run.done).rejects.toThrow(/set baseModel to one of: Qwen\/Qwen3-8B/);
  });

  it('a server failure mid-run rejects with the message and the stderr tail', async () => {
    const { run } = start({ env: { FAKE_TINKER_FAIL_AT_STEP: '2' } });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/500 Internal Server Error at step 2/);
    expect((error as WorkerCrashedError).stderrTail).toMatch(/RuntimeError/);
  });

  it('a crash without an error event rejects with the exit code', async () => {
    const { run, events } = start({ env: { FAKE_TINKER_EXIT_AT_STEP: '2' } });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/stopped without finishing \(exit code 3\)/);
    expect(events.filter((e) => e.type === 'train')).toHaveLength(1);
  });
});
