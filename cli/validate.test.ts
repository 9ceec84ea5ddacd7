import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'studio.js');
const FIXTURES = resolve(import.meta.dirname, '..', 'src', 'io', '__fixtures__');
const MODELS = [
  '--models',
  'anthropic/claude-test,openai/gpt-test,gemini/gemini-test',
  '--judge',
  'openai/judge-test',
  '--prober',
  'openai/prober-test',
];

let fake: FakeServers;
const dirs: string[] = [];

function env() {
  return { ...process.env, STUDIO_PROJECT: '', ...fakeProviderEnv(fake.url) };
}

function studio(dir: string, args: string[]) {
  return spawnSync(process.execPath, [BIN, '-p', dir, ...args], { encoding: 'utf8', env: env() });
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-cli-val-'));
  dirs.push(dir);
  studio(dir, ['init']);
  studio(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  studio(dir, ['compress', '--all']);
  return dir;
}

/** `studio validate` as a child process, run asynchronously so the fake servers keep answering. */
function validate(
  dir: string,
  extra: string[] = [],
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(
    process.execPath,
    [BIN, '-p', dir, 'validate', '--all', '--concurrency', '1', ...MODELS, ...extra],
    { env: env() },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return { child, done: new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr }))) };
}

beforeAll(async () => {
  fake = await startFakeServers({ answer: readingModel });
});
afterAll(async () => {
  await fake.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('studio validate', () => {
  it('prints per-model scores, transfer, code checks and spend; a rerun makes no calls', async () => {
    const dir = project();
    fake.requests.length = 0;
    const r = await validate(dir, ['--json']).done;
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      scores: { byModel: { model: string; passed: number; pairs: number }[] };
      code: unknown[];
      spend: { calls: number };
    };
    expect(summary.scores.byModel.map((m) => m.model)).toEqual([
      'anthropic/claude-test',
      'openai/gpt-test',
      'gemini/gemini-test',
    ]);
    expect(summary.code).toHaveLength(2);
    const calls = fake.requests.length;
    expect(calls).toBeGreaterThan(10);
    const table = await validate(dir).done;
    expect(table.stdout).toMatch(/anthropic\/claude-test .* 100\.0%/);
    expect(table.stdout).toMatch(/Cross-model transfer: \d+\/\d+ \(100\.0%/);
    expect(table.stdout).toMatch(/Code pairs: 2\/2 same syntax tree, 2\/2 pass their tests/);
    expect(fake.requests.length).toBe(calls);
  });

  it('killed mid-run, then restarted, it makes no more calls than an uninterrupted run', async () => {
    const reference = project();
    fake.requests.length = 0;
    await validate(reference).done;
    const uninterrupted = fake.requests.length;

    const dir = project();
    fake.requests.length = 0;
    fake.latencyMs = 20;
    const run = validate(dir);
    while (fake.requests.length < uninterrupted / 2) await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGKILL');
    await run.done;
    fake.latencyMs = 0;
    const beforeRestart = fake.requests.length;
    expect(beforeRestart).toBeLessThan(uninterrupted);
    const second = await validate(dir).done;
    expect(second.code).toBe(0);
    // Only the call in flight at the kill can be paid twice.
    expect(fake.requests.length).toBeLessThanOrEqual(uninterrupted + 1);
    expect(second.stdout).toMatch(/Cross-model transfer/);
  });

  it('refuses to start without keys, naming them, and checks its arguments', () => {
    const dir = project();
    const noKeys = spawnSync(process.execPath, [BIN, '-p', dir, 'validate', '--all', ...MODELS], {
      encoding: 'utf8',
      env: { ...process.env, STUDIO_PROJECT: '', ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '' },
    });
    expect(noKeys.status).toBe(1);
    expect(noKeys.stderr).toMatch(
      /missing API keys: anthropic needs ANTHROPIC_API_KEY; openai needs OPENAI_API_KEY; gemini needs GEMINI_API_KEY/,
    );
    expect(studio(dir, ['validate', '--all', '--models', 'gpt-4']).stderr).toMatch(
      /not a model: write provider\/model/,
    );
    expect(studio(dir, ['validate']).stderr).toMatch(/say which pairs/);
    expect(studio(dir, ['validate', '--all', '--budget', '-1']).stderr).toMatch(/--budget must be a positive number/);
  });

  it('stops cleanly at the budget', async () => {
    const dir = project();
    const r = await validate(dir, [
      '--budget',
      '0.000001',
      '--models',
      'openai/gpt-4.1-mini',
      '--judge',
      'openai/gpt-4.1-mini',
      '--prober',
      'openai/gpt-4.1-mini',
    ]).done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Stopped at the budget/);
    expect(r.stdout).toMatch(/Spend: \$0\.0000/);
  });
});
