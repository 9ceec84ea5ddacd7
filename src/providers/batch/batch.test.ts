import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadProvidersConfig, loadValidationConfig } from '../../config.ts';
import type { ProvidersConfig } from '../../contracts/providers.ts';
import { runRulesJob } from '../../generation/rules-job.ts';
import { importPaths } from '../../io/import.ts';
import { openProject, type Project } from '../../project.ts';
import { listPairs } from '../../store/pairs.ts';
import { runValidation, type ValidationSummary } from '../../validation/run.ts';
import { cacheKey } from '../middleware/cache.ts';
import { createProviderRegistry } from '../registry.ts';
import { type FakeServers, fakeProviderEnv, type SeenRequest, startFakeServers } from '../testing/fake-servers.ts';
import { readingModel } from '../testing/reading-model.ts';
import { testJudge, testPricing, testProber, testValidators } from '../testing/test-models.ts';
import { createAnthropicBatchApi } from './anthropic.ts';
import { createGeminiBatchApi } from './gemini.ts';
import { createOpenAiBatchApi } from './openai.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'io', '__fixtures__');
const validators = testValidators;
const prober = testProber;
const judge = testJudge;
const pricing = testPricing;

let fake: FakeServers;
/** The answer function of the fake server for the current test (default: the reading model). */
let answer: (req: SeenRequest) => { text: string; error?: { status: number; message: string } } = readingModel;
const dirs: string[] = [];
const projects: Project[] = [];

function config(): ProvidersConfig {
  const c = loadProvidersConfig();
  for (const p of ['anthropic', 'openai', 'gemini'] as const) c[p].batch.pollIntervalMs = 5;
  return c;
}

async function seededProject(): Promise<{ project: Project; pairIds: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'studio-batch-'));
  dirs.push(dir);
  const project = openProject({ dir, create: true, env: {} });
  projects.push(project);
  await importPaths(project.db, [join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')], {
    config: project.config.import,
  });
  await runRulesJob(project);
  return { project, pairIds: listPairs(project.db).map((p) => p.id) };
}

function validate(
  project: Project,
  pairIds: number[],
  extra: { batch?: boolean; signal?: AbortSignal; onStatus?: (m: string) => void } = {},
) {
  return runValidation(project, {
    pairIds,
    validators,
    prober,
    judge,
    registry: createProviderRegistry({
      db: project.db,
      projectDir: project.dir,
      config: config(),
      pricing,
      env: fakeProviderEnv(fake.url),
    }),
    config: loadValidationConfig(),
    ...extra,
  });
}

/** What a run decided, independent of row ids: pair text, probe, model, outcome. */
function verdicts(project: Project): string[] {
  return (
    project.db
      .prepare(
        `SELECT p.compressed_hash AS pair, pr.question, v.model, v.method, v.outcome FROM verdicts v
         JOIN pairs p ON p.id = v.pair_id LEFT JOIN probes pr ON pr.id = v.probe_id`,
      )
      .all() as Record<string, string>[]
  )
    .map((r) => `${r.pair}|${r.question}|${r.model}|${r.method}|${r.outcome}`)
    .sort();
}

function spend(project: Project): number {
  return project.db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM costs WHERE cached = 0').pluck().get() as number;
}

beforeAll(async () => {
  fake = await startFakeServers({ answer: (req) => answer(req) });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.batches.length = 0;
  fake.batchPolls = 1;
  answer = readingModel;
});
afterEach(() => {
  for (const p of projects.splice(0)) p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('validation through the batch endpoints', () => {
  let live: { verdicts: string[]; spend: number; summary: ValidationSummary; calls: number };

  beforeEach(async () => {
    const { project, pairIds } = await seededProject();
    const summary = await validate(project, pairIds);
    live = { verdicts: verdicts(project), spend: spend(project), summary, calls: fake.count(undefined, 'live') };
    fake.requests.length = 0;
  });

  it('answers every call in batches of the three providers, with the live verdicts at half the price', async () => {
    const { project, pairIds } = await seededProject();
    const statuses: string[] = [];
    const summary = await validate(project, pairIds, { batch: true, onStatus: (m) => statuses.push(m) });
    expect(summary.stoppedBy).toBe('done');
    expect(summary.issues).toEqual([]);
    // Not one live call: probes, answers and judgements all went through batches.
    expect(fake.count(undefined, 'live')).toBe(0);
    expect(fake.count(undefined, 'batch')).toBe(live.calls);
    expect(new Set(fake.batches.map((b) => b.provider))).toEqual(new Set(['anthropic', 'openai', 'gemini']));
    // Rounds: the prober's batch, then one answer batch per validator, then the judge's batch.
    expect(fake.batches.map((b) => b.provider)).toEqual(['openai', 'anthropic', 'openai', 'gemini', 'openai']);
    expect(summary.batches).toMatchObject({ submitted: 5, resumed: 0, failed: 0, leftLive: 0 });
    expect(summary.batches?.succeeded).toBe(live.calls);
    // Merged into the same tables as live calls: the same verdicts and scores.
    expect(verdicts(project)).toEqual(live.verdicts);
    expect(summary.scores.byModel).toEqual(live.summary.scores.byModel);
    // The providers charge half for batches: same tokens, half the dollars.
    expect(spend(project)).toBeCloseTo(live.spend / 2, 10);
    const logged = readFileSync(join(project.dir, 'data', 'costs.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { batch?: boolean; purpose: string });
    expect(logged.filter((l) => l.batch).length).toBe(live.calls);
    expect(new Set(logged.filter((l) => l.batch).map((l) => l.purpose))).toEqual(new Set(['probe', 'answer', 'judge']));
    expect(statuses.some((s) => /submitted batch/.test(s))).toBe(true);
    expect(statuses.some((s) => /done$/.test(s))).toBe(true);
    // A rerun finds everything answered: no batch, no call.
    const before = fake.batches.length;
    const rerun = await validate(project, pairIds, { batch: true });
    expect(fake.batches.length).toBe(before);
    expect(rerun.batches?.submitted).toBe(0);
    expect(fake.count(undefined, 'live')).toBe(0);
  });

  it('stopped while a batch runs, resumes by polling the same batch, never submitting twice', async () => {
    const { project, pairIds } = await seededProject();
    fake.batchPolls = 3;
    const controller = new AbortController();
    const first = await validate(project, pairIds, {
      batch: true,
      signal: controller.signal,
      onStatus: (m) => {
        // Stop once the answer batches are submitted and being waited on.
        if (/anthropic batch .*done/.test(m)) controller.abort();
      },
    });
    expect(first.stoppedBy).toBe('cancelled');
    const open = project.db
      .prepare("SELECT provider FROM batches WHERE status = 'submitted' ORDER BY id")
      .pluck()
      .all();
    expect(open).toEqual(['anthropic', 'openai', 'gemini']);
    const submittedBeforeResume = fake.batches.length;
    expect(submittedBeforeResume).toBe(4);

    const second = await validate(project, pairIds, { batch: true });
    expect(second.stoppedBy).toBe('done');
    expect(second.batches).toMatchObject({ resumed: 3, submitted: 1 }); // only the judge's batch is new
    expect(fake.batches.length).toBe(5); // as many as an uninterrupted run
    expect(fake.count(undefined, 'batch')).toBe(live.calls);
    expect(fake.count(undefined, 'live')).toBe(0);
    expect(verdicts(project)).toEqual(live.verdicts);
  });

  it('makes live what a batch could not answer: an expired batch, an errored request', async () => {
    const { project, pairIds } = await seededProject();
    fake.failBatch('gemini', { state: 'expired' });
    let failedOnce = false;
    answer = (req) => {
      // One Claude request fails inside its batch (and answers when it is made live).
      if (req.provider === 'anthropic' && req.via === 'batch' && !failedOnce) {
        failedOnce = true;
        return { text: '', error: { status: 500, message: 'overloaded inside the batch' } };
      }
      return readingModel(req);
    };
    const summary = await validate(project, pairIds, { batch: true });
    expect(summary.stoppedBy).toBe('done');
    expect(summary.issues).toEqual([]);
    const geminiAnswers = live.summary.scores.pairs.length; // > 0 answers were needed from Gemini
    expect(geminiAnswers).toBeGreaterThan(0);
    expect(fake.count('gemini', 'batch')).toBe(0);
    expect(fake.count('gemini', 'live')).toBeGreaterThan(0);
    expect(fake.count('anthropic', 'live')).toBe(1);
    expect(summary.batches?.failed).toBeGreaterThan(1);
    expect(verdicts(project)).toEqual(live.verdicts);
    const states = project.db.prepare('SELECT provider, status, errored FROM batches ORDER BY id').all();
    expect(states).toContainEqual({ provider: 'gemini', status: 'expired', errored: expect.any(Number) });
  });
});

describe('batch adapters over the official SDKs', () => {
  const request = (n: number) => ({
    model: 'm-test',
    system: 'Answer briefly.',
    messages: [{ role: 'user' as const, content: `<context>\nAlice: line ${n}\n</context>\nQuestion: line ${n}?` }],
    maxTokens: 50,
    temperature: 0,
  });

  it.each([
    ['anthropic', () => createAnthropicBatchApi(loadProvidersConfig().anthropic, fakeProviderEnv(fake.url))],
    ['openai chat', () => createOpenAiBatchApi(loadProvidersConfig().openai, fakeProviderEnv(fake.url))],
    [
      'openai responses',
      () => createOpenAiBatchApi({ ...loadProvidersConfig().openai, api: 'responses' }, fakeProviderEnv(fake.url)),
    ],
    ['gemini', () => createGeminiBatchApi(loadProvidersConfig().gemini, fakeProviderEnv(fake.url))],
  ])('%s: submit, poll, read results by key', async (_name, make) => {
    const api = make();
    const items = [1, 2, 3].map((n) => ({ key: cacheKey(api.provider, request(n)), request: request(n) }));
    const id = await api.submit(items);
    expect((await api.status(id)).state).toBe('running');
    const status = await api.status(id);
    expect(status.state).toBe('ended');
    expect(status.done).toBe(3);
    const results = await api.results(id, new Map(items.map((i) => [i.key, i.request.model])));
    expect(results.map((r) => r.key).sort()).toEqual(items.map((i) => i.key).sort());
    for (const r of results) {
      expect(r.outcome).toBe('succeeded');
      if (r.outcome !== 'succeeded') continue;
      const n = items.findIndex((i) => i.key === r.key) + 1;
      expect(r.response.text).toBe(`line ${n}`);
      expect(r.response.usage.inputTokens).toBeGreaterThan(0);
      expect(r.response.provider).toBe(api.provider);
    }
    // What the provider saw is what a live call would have sent.
    expect(fake.requests.every((r) => r.via === 'batch' && r.system === 'Answer briefly.')).toBe(true);
  });

  it('a failed batch says why', async () => {
    fake.failBatch('openai', { state: 'failed', message: 'input file has 0 valid lines' });
    const api = createOpenAiBatchApi(loadProvidersConfig().openai, fakeProviderEnv(fake.url));
    const id = await api.submit([{ key: 'k1', request: request(1) }]);
    await api.status(id);
    expect(await api.status(id)).toMatchObject({ state: 'failed', error: 'input file has 0 valid lines' });
  });

  it('a rejected submission is a clear provider error', async () => {
    const api = createAnthropicBatchApi(loadProvidersConfig().anthropic, fakeProviderEnv(fake.url));
    await expect(api.submit([{ key: 'not a valid id!', request: request(1) }])).rejects.toThrow(/custom_id/);
  });
});
