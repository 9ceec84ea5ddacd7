import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairViewQuery } from '../src/contracts/view.ts';
import { openProject } from '../src/project.ts';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';
import { submitLabel } from '../src/review/queue.ts';
import { pairIdsForView } from '../src/store/pair-view.ts';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'studio.js');
const FIXTURES = resolve(import.meta.dirname, '..', 'src', 'io', '__fixtures__');
const MODELS = ['--models', 'openai/gpt-test', '--judge', 'openai/judge-test', '--prober', 'openai/prober-test'];

let fake: FakeServers;
let dir: string;
const env = () => ({ ...process.env, STUDIO_PROJECT: '', ...fakeProviderEnv(fake.url) });

function validate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [BIN, '-p', dir, 'validate', '--concurrency', '1', '--json', ...MODELS, ...args],
    {
      env: env(),
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

/** The pairs a finished validation run judged (verdict rows carry the run). */
function judgedInRun(runId: number): number[] {
  const project = openProject({ dir });
  try {
    return project.db
      .prepare('SELECT DISTINCT pair_id FROM verdicts WHERE run_id = ? ORDER BY pair_id')
      .pluck()
      .all(runId) as number[];
  } finally {
    project.close();
  }
}

function inView(query: PairViewQuery): number[] {
  const project = openProject({ dir });
  try {
    return pairIdsForView(project.db, query);
  } finally {
    project.close();
  }
}

beforeAll(async () => {
  fake = await startFakeServers({ answer: readingModel });
  dir = mkdtempSync(join(tmpdir(), 'studio-cli-select-'));
  const studio = (args: string[]) =>
    spawnSync(process.execPath, [BIN, '-p', dir, ...args], { encoding: 'utf8', env: env() });
  expect(studio(['init']).status).toBe(0);
  expect(studio(['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'mixed.jsonl')]).status).toBe(0);
  expect(studio(['compress', '--all']).status).toBe(0);
  // Two reviewed pairs, so the label filters pick a strict subset.
  const project = openProject({ dir });
  try {
    const [first, second] = pairIdsForView(project.db, {});
    submitLabel(project.db, { pairId: first as number, labeler: 'ann', decision: 'approve' });
    submitLabel(project.db, { pairId: second as number, labeler: 'ann', decision: 'reject', comment: 'drops a name' });
  } finally {
    project.close();
  }
}, 180_000);
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('studio validate picks the pairs the Pairs page shows for the same filter', () => {
  for (const [args, query] of [
    [['--label', 'approve'], { label: 'approve' }],
    [['--label', 'unlabelled', '--strategy', 'rules'], { label: 'unlabelled', strategy: 'rules' }],
  ] as const) {
    it(args.join(' '), async () => {
      const expected = inView(query);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(inView({}).length);
      const r = await validate([...args]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { runId: number; pairs: number };
      expect(summary.pairs).toBe(expected.length);
      expect(judgedInRun(summary.runId)).toEqual(expected);
    }, 180_000);
  }

  it('refuses a filter value the Pairs page does not have, naming the choices', async () => {
    const r = await validate(['--verdict', 'maybe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--verdict must be one of all, failures, passes/);
  }, 60_000);
});
