import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiArgs, type ApiContext, type ApiName, type ApiResult, dispatch, type KeyStore } from '../api/index.ts';
import { startBridge } from '../bridge/http-server.ts';
import type { StudioEvent } from '../events.ts';
import type { Project } from '../project.ts';
import { compressingModel } from '../providers/testing/compressing-model.ts';
import { type FakeServers, startFakeServers } from '../providers/testing/fake-servers.ts';
import { readingModel } from '../providers/testing/reading-model.ts';
import { createRun, finishRun, listRuns } from '../store/runs.ts';
import { setUpTempApp } from '../store/testing/project-fixture.ts';
import { runTraining } from '../training/train-job.ts';

const FIXTURES = join(import.meta.dirname, '..', 'io', '__fixtures__');
const KEYS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'TINKER_API_KEY'];

let dir: string;
let project: Project;
let app: { ctx: ApiContext; close(): Promise<void> };
const events: StudioEvent[] = [];

async function call<N extends ApiName>(name: N, args: ApiArgs<N>, ctx = app.ctx): Promise<ApiResult<N>> {
  return (await dispatch(ctx, name, args)) as ApiResult<N>;
}

async function seed(): Promise<void> {
  // Straight to the job: the API's import-folder check is not what these tests are about.
  await app.ctx.jobs.startImport({
    paths: [join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')],
  });
  await app.ctx.jobs.idle();
  await call('jobs-rules', {});
  await app.ctx.jobs.idle();
}

/** Approves every pair as a labeler would (naming the texts seen). */
async function approveAll(): Promise<number> {
  const page = await call('pairs-list', { limit: 1000 });
  for (const row of page.rows) {
    const d = await call('pairs-get', { id: row.id });
    await call('review-submit', {
      pairId: row.id,
      labeler: 'ana',
      decision: 'approve',
      compressedHash: d.pair.compressedHash,
      originalHash: d.source.hash,
    });
  }
  return page.rows.length;
}

beforeEach(() => {
  // Keys come from this process's environment: none unless a test sets one.
  for (const k of KEYS) vi.stubEnv(k, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});
setUpTempApp('studio-jobs-', (t) => ({ dir, project, app } = t));
beforeEach(() => {
  events.length = 0;
  app.ctx.bus.subscribe((e) => events.push(e));
});

describe('missing keys', () => {
  it('are a KeyMissingError whose advice matches the mode, and create no run', async () => {
    await seed();
    const before = listRuns(project.db).length;
    // Browser mode (`studio serve`, no key store): name the variables, say where to set them.
    const browser = dispatch(app.ctx, 'jobs-validate', {});
    await expect(browser).rejects.toMatchObject({ name: 'KeyMissingError' });
    await expect(browser).rejects.toThrow(/ANTHROPIC_API_KEY.*environment of "studio serve" and restart/);
    await expect(browser).rejects.not.toThrow(/Settings/);
    // Desktop (a key store): Settings.
    const stored = new Set<string>();
    const keys: KeyStore = { set: (k) => stored.add(k), clear: (k) => stored.delete(k), has: (k) => stored.has(k) };
    const desktop = dispatch({ ...app.ctx, keys }, 'jobs-generate', { strategy: 'prompted' });
    await expect(desktop).rejects.toMatchObject({ name: 'KeyMissingError' });
    await expect(desktop).rejects.toThrow(/OPENAI_API_KEY\. Add it in Settings → Providers and keys/);
    expect(listRuns(project.db).length).toBe(before);
  });

  it('come back over HTTP as a 400 with the error name, never a 500', async () => {
    await seed();
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    const bridge = await startBridge({ ctx: app.ctx, port: 0, staticDir, uploadDir: join(dir, 'up'), token: 't0k3n' });
    try {
      const res = await fetch(`http://127.0.0.1:${bridge.port}/api/jobs-train`, {
        method: 'POST',
        headers: { authorization: 'Bearer t0k3n', 'content-type': 'application/json' },
        body: JSON.stringify({ runner: 'tinker' }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { name: string; message: string } };
      expect(body.error.name).toBe('KeyMissingError');
      expect(body.error.message).toMatch(/TINKER_API_KEY in the environment of "studio serve"/);
    } finally {
      await bridge.close();
    }
  });
});

describe('runs tell the truth', () => {
  let fake: FakeServers;
  beforeAll(async () => {
    fake = await startFakeServers({ answer: readingModel });
  });
  afterAll(async () => {
    await fake.close();
  });
  const fakeEnv = () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'fake-key');
    vi.stubEnv('ANTHROPIC_BASE_URL', fake.url);
    vi.stubEnv('OPENAI_API_KEY', 'fake-key');
    vi.stubEnv('OPENAI_BASE_URL', `${fake.url}/v1`);
  };
  const models = { models: ['anthropic/claude-test'], judge: 'openai/judge-test', prober: 'openai/prober-test' };
  /** Seeds, then starts validating the chat pairs on the fake providers, each answer `latencyMs` late. */
  const startValidation = async (latencyMs: number) => {
    await seed();
    fakeEnv();
    fake.latencyMs = latencyMs;
    const pairIds = (await call('pairs-list', { domain: 'chat' })).rows.map((r) => r.id);
    const { runId } = await call('jobs-validate', { pairIds, ...models });
    return { pairIds, runId };
  };

  it('leaves out of the estimate the sources whose candidates are stored, as the job skips them (review)', async () => {
    await seed();
    fakeEnv();
    const ask = (ratios: number[]) =>
      call('generate-estimate', { strategy: 'prompted', ratios, model: 'openai/gpt-4.1-mini', domain: 'chat' });
    const before = await ask([0.5]);
    expect(before.stored).toBe(0);
    expect(before.calls).toBe(before.sources);
    fake.answer = compressingModel;
    try {
      await call('jobs-generate', {
        strategy: 'prompted',
        ratios: [0.5],
        model: 'openai/gpt-4.1-mini',
        domain: 'chat',
      });
      await app.ctx.jobs.idle();
    } finally {
      fake.answer = readingModel;
    }
    const rows = (await call('pairs-list', { limit: 1000 })).rows.filter((r) => r.strategy === 'prompted');
    const done = new Set(rows.map((r) => r.sourceId)).size;
    expect(done).toBeGreaterThan(0);
    // Asked again, the same job would skip every source it stored a candidate for.
    const again = await ask([0.5]);
    expect(again.sources).toBe(before.sources);
    expect(again.tokens).toBe(before.tokens);
    expect(again.stored).toBe(done);
    expect(again.calls).toBe(before.sources - done);
    expect(again.candidates).toBe(before.sources - done);
    if (done === before.sources) expect(again.seconds).toBe(0);
    expect(again.seconds).toBeLessThan(before.seconds);
    expect(again.costUsd ?? 0).toBeLessThan(before.costUsd ?? 0);
    // A new ratio is new work for every source; another model's pairs cover nothing of this one.
    expect((await ask([0.5, 0.3])).stored).toBe(0);
    const other = await call('generate-estimate', {
      strategy: 'prompted',
      ratios: [0.5],
      model: 'openai/gpt-4.1-nano',
      domain: 'chat',
    });
    expect(other.stored).toBe(0);
  });

  it('lists a job the moment it is accepted and counts calls while answers are written', async () => {
    const { pairIds, runId } = await startValidation(150);
    // Before its first item: the row is there, and an event said so.
    const row = (await call('runs-list', {})).find((r) => r.id === runId);
    expect(row?.status).toBe('running');
    expect(row?.done).toBe(0);
    expect(events.some((e) => e.type === 'store-changed' && e.reason === 'run-started')).toBe(true);
    await app.ctx.jobs.idle();
    const progress = events.filter(
      (e): e is Extract<StudioEvent, { type: 'run-progress' }> => e.type === 'run-progress' && e.runId === runId,
    );
    const done = (await call('runs-get', { id: runId })).done;
    // The unit is a call: answers and judgements, many per pair, each reported as it lands.
    expect(done).toBeGreaterThan(pairIds.length * 3);
    const moving = new Set(progress.map((p) => p.done));
    expect(moving.size).toBeGreaterThan(pairIds.length + 2);
    expect(progress.some((p) => /answering|judging/.test(p.label ?? ''))).toBe(true);
    const final = await call('runs-get', { id: runId });
    expect(final.status).toBe('succeeded');
    expect(final.done).toBe(final.total);
  });

  it('shows "cancelling" at once and stops within a call, not after its pair', async () => {
    const { runId } = await startValidation(4000);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    expect((await call('runs-cancel', { id: runId })).requested).toBe(true);
    const row = (await call('runs-list', {})).find((r) => r.id === runId);
    expect(row).toMatchObject({ status: 'running', cancelRequested: true });
    await app.ctx.jobs.idle();
    const took = performance.now() - t0;
    expect((await call('runs-get', { id: runId })).status).toBe('cancelled');
    // A call in flight is aborted: far less than the one call's latency, let alone a pair's.
    expect(took).toBeLessThan(fake.latencyMs * 0.75);
    fake.latencyMs = 0;
  });
});

describe('resume', () => {
  it('is offered only where it can succeed: not while the key a run failed for is missing', async () => {
    const id = createRun(project.db, 'validation', { pairIds: [1] });
    finishRun(project.db, id, 'failed', {}, 'missing API keys: openai needs OPENAI_API_KEY');
    const listed = (await call('runs-list', {})).find((r) => r.id === id);
    expect(listed?.resume).toEqual({ possible: false, reason: expect.stringMatching(/set OPENAI_API_KEY first/) });
    await expect(call('runs-resume', { id })).rejects.toThrow(/cannot be resumed: .*OPENAI_API_KEY/);
    vi.stubEnv('OPENAI_API_KEY', 'sk-now-set');
    expect((await call('runs-list', {})).find((r) => r.id === id)?.resume.possible).toBe(true);
    // A finished run is never offered.
    const ok = createRun(project.db, 'import', { paths: ['x'] });
    finishRun(project.db, ok, 'succeeded', {});
    expect((await call('runs-list', {})).find((r) => r.id === ok)?.resume.possible).toBe(false);
  });
});

describe('training pre-flight', () => {
  it('shows the split, tokens and compression, and warns on a tiny, barely compressed set', async () => {
    await seed();
    const approved = await approveAll();
    const p = await call('training-preflight', { runner: 'tinker' });
    const splits = p.dataset?.splits;
    expect(splits).toBeDefined();
    const examples = (splits?.train.examples ?? 0) + (splits?.valid.examples ?? 0) + (splits?.test.examples ?? 0);
    expect(examples).toBeGreaterThan(0);
    expect(examples).toBeLessThanOrEqual(approved);
    expect(splits?.train.tokensOriginal).toBeGreaterThan(splits?.train.tokensCompressed ?? 0);
    expect(p.checks.find((c) => c.id === 'dataset-size')).toMatchObject({ level: 'warn' });
    expect(p.checks.find((c) => c.id === 'key')).toMatchObject({ level: 'error' });
    expect(p.missingKey).toBe('TINKER_API_KEY');
    expect(p.canStart).toBe(false);
    const local = await call('training-preflight', { runner: 'local', overrides: { baseModel: '/no/such/model' } });
    expect(local.backend).toMatch(process.platform === 'darwin' ? /MLX/ : /mlx-lm\[cpu\]/);
    expect(local.checks.find((c) => c.id === 'base-model')).toMatchObject({ level: 'error' });
  });

  it('Tinker without a key creates no run; a second run while one trains is a conflict', async () => {
    await seed();
    await approveAll();
    const before = listRuns(project.db, { kind: 'training' }).length;
    await expect(call('jobs-train', { runner: 'tinker' })).rejects.toMatchObject({ name: 'KeyMissingError' });
    expect(listRuns(project.db, { kind: 'training' }).length).toBe(before);
    vi.stubEnv('TINKER_API_KEY', 'tk-set');
    // Warnings (a tiny set) need a confirmation: refused without one, and still no run.
    await expect(call('jobs-train', { runner: 'tinker' })).rejects.toThrow(/confirmation of its pre-flight warnings/);
    expect(listRuns(project.db, { kind: 'training' }).length).toBe(before);
    // Another process (the CLI) is training: the app refuses a second run with a 409-style error.
    createRun(project.db, 'training', { runner: 'local', config: { baseModel: 'm' } });
    await expect(call('jobs-train', { runner: 'tinker', confirmed: true })).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/is training now/),
    });
    expect(listRuns(project.db, { kind: 'training' }).length).toBe(before + 1);
  });
});

describe('training stop', () => {
  it('a run stopped before its first step leaves "running" at once, as cancelled', async () => {
    await seed();
    await approveAll();
    const controller = new AbortController();
    const t0 = performance.now();
    const summary = await runTraining(project, {
      runner: 'tinker',
      overrides: { batchSize: 1, epochs: 50, loraRank: 4 },
      tinkerFakeService: true,
      env: { FAKE_TINKER_STEP_SECONDS: '0.5' },
      signal: controller.signal,
      // Stopped while the worker is still starting: nothing to save, nothing to wait for.
      onRun: () => controller.abort(),
    });
    expect(summary).toMatchObject({ cancelled: true, iters: 0 });
    const run = listRuns(project.db, { kind: 'training' })[0];
    expect(run).toMatchObject({
      status: 'cancelled',
      summary: expect.objectContaining({ stoppedBeforeFirstStep: true }),
    });
    // 50 epochs of 0.5 s steps would take minutes; the stop took well under one step's worth of setup.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('generate estimate', () => {
  it('counts sources and tokens, prices prompted calls from pricing.yaml, and says why it cannot run', async () => {
    await seed();
    const all = await call('generate-estimate', { strategy: 'rules' });
    const chat = await call('generate-estimate', { strategy: 'rules', domain: 'chat' });
    expect(all.sources).toBeGreaterThan(chat.sources);
    expect(chat.sources).toBeGreaterThan(0);
    expect(all.tokens).toBeGreaterThan(chat.tokens);
    expect(all.canRun.ok).toBe(true);
    const prompted = await call('generate-estimate', {
      strategy: 'prompted',
      ratios: [0.5],
      model: 'openai/gpt-4.1-mini',
      domain: 'chat',
    });
    expect(prompted.calls).toBe(chat.sources);
    // gpt-4.1-mini: $0.4 in, $1.6 out per million tokens.
    const expected = ((chat.tokens + 350 * chat.sources) * 0.4 + Math.round(chat.tokens * 0.5) * 1.6) / 1e6;
    expect(prompted.costUsd).toBeCloseTo(expected, 9);
    expect(prompted.canRun).toMatchObject({ ok: false, missingKeys: ['OPENAI_API_KEY'] });
    const pruned = await call('generate-estimate', { strategy: 'pruned', model: '/nowhere/x.gguf' });
    expect(pruned.canRun).toEqual({ ok: false, reason: 'no GGUF file at /nowhere/x.gguf' });
    // From a Pairs view: the sources of the pairs it shows.
    const fromView = await call('generate-estimate', { strategy: 'rules', pairQuery: { domain: 'code' } });
    expect(fromView.sources).toBeGreaterThan(0);
    expect(fromView.sourceIds.length).toBe(fromView.sources);
    // With no key, the dialog defaults to something that runs now.
    const options = await call('generate-options', {});
    expect(options.strategy).not.toBe('prompted');
    expect(options.generatorKeyMissing).toBe('OPENAI_API_KEY');
  });

  it("times a pruned job by the project's own pruned runs with that model, and says so (review: ~5x low)", async () => {
    await seed();
    const model = '/nowhere/x.gguf';
    const ask = () => call('generate-estimate', { strategy: 'pruned', model, ratios: [0.3, 0.5] });
    const first = await ask();
    // No run yet: SmolLM2's speed on a 2-core machine, 300 tokens/s of the sources (it was 1,500 a
    // ratio), whatever the number of ratios: a source is scored once and cut at each (review).
    expect(first.seconds).toBeCloseTo(first.tokens / 300, 6);
    expect(first.secondsBasis).toBe(
      'at ~300 tokens/s (SmolLM2 on a 2-core machine, every ratio from one scoring); the first run with this model measures its own',
    );
    /** A finished pruned run over `tokens` of sources at `ratios` ratios that took `seconds`. */
    const pastRun = (
      tokens: number,
      seconds: number,
      over: { status?: 'succeeded' | 'cancelled'; model?: string; chained?: boolean; ratios?: number } = {},
    ) => {
      const ratios = [0.3, 0.5, 0.7].slice(0, over.ratios ?? 1);
      const id = createRun(project.db, 'generation', { strategy: 'pruned', ratios, modelArg: over.model ?? model });
      finishRun(project.db, id, over.status ?? 'succeeded', {
        stoppedBy: over.status === 'cancelled' ? 'cancelled' : 'done',
        // The summary counts a source's tokens once per candidate (generate-job.ts).
        tokens: { before: tokens * ratios.length, after: tokens / 2 },
        ...(over.chained ? { chained: { validationRunId: 1, kept: [], removed: 0, withoutPass: [] } } : {}),
      });
      // One clock reading for both ends: two readings a few milliseconds apart on a loaded machine
      // made a 10 s run 10.004 s (CI: 600 tokens/s read 599.76).
      const now = Date.now();
      project.db
        .prepare('UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?')
        .run(new Date(now - seconds * 1000).toISOString(), new Date(now).toISOString(), id);
    };
    pastRun(6_000, 10, { ratios: 3 }); // 600 tokens/s of the sources, for three ratios
    pastRun(9_000, 10); // 900
    pastRun(4_000, 40); // 100
    // Left out: stopped, timed with a chained validation, too short to tell, another model.
    pastRun(50_000, 10, { status: 'cancelled' });
    pastRun(50_000, 10, { chained: true });
    pastRun(50_000, 1);
    pastRun(50_000, 10, { model: '/elsewhere/y.gguf' });
    const measured = await ask();
    expect(measured.seconds).toBeCloseTo(measured.tokens / 600, 6);
    expect(measured.secondsBasis).toBe('at 600 tokens/s, the median of the last 3 pruned runs with this model');
    const rules = await call('generate-estimate', { strategy: 'rules' });
    expect(rules.secondsBasis).toBe('at ~50,000 tokens/s (the rules on a 2-core machine)');
  });
});
