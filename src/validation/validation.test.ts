import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPricing, loadProvidersConfig, loadValidationConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import { createLazyMiniLM } from '../embeddings/minilm.ts';
import { runRulesJob } from '../generation/rules-job.ts';
import { importPaths } from '../io/import.ts';
import { openProject, type Project } from '../project.ts';
import { createProviderRegistry } from '../providers/registry.ts';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../providers/testing/fake-servers.ts';
import { readingModel } from '../providers/testing/reading-model.ts';
import { testJudge, testProber, testValidators } from '../providers/testing/test-models.ts';
import { insertPairs, listPairs } from '../store/pairs.ts';
import { listSources } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { exactMatch, tokenF1 } from './match.ts';
import { runValidation, type ValidateOptions, type ValidationSummary } from './run.ts';

const FIXTURES = join(import.meta.dirname, '..', 'io', '__fixtures__');
const validators = testValidators;
const prober = testProber;
const judge = testJudge;

let fake: FakeServers;
let project: Project;

function registry(p: Project) {
  return createProviderRegistry({
    db: p.db,
    projectDir: p.dir,
    config: loadProvidersConfig(),
    pricing: loadPricing(),
    env: fakeProviderEnv(fake.url),
  });
}

/** `pairIds` validated by the test models on the fake servers, with the default config unless `options` says otherwise. */
function validate(p: Project, pairIds: number[], options: Partial<ValidateOptions> = {}): Promise<ValidationSummary> {
  return runValidation(p, {
    pairIds,
    validators,
    prober,
    judge,
    registry: registry(p),
    config: loadValidationConfig(),
    ...options,
  });
}

async function seed(p: Project): Promise<number[]> {
  await importPaths(p.db, [join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')], {
    config: p.config.import,
  });
  await runRulesJob(p);
  // A compression that loses a fact: the line that says when the pottery class started.
  const session1 = listSources(p.db, { search: 'conv-t1 session 1' })[0];
  const lossy = (session1?.text ?? '')
    .split('\n')
    .filter((l) => !l.includes('pottery class on Monday'))
    .join('\n');
  insertPairs(p.db, [
    { sourceId: session1?.id as number, compressed: lossy, strategy: 'manual', model: 'claude-test' },
  ]);
  return listPairs(p.db).map((x) => x.id);
}

beforeAll(async () => {
  fake = await startFakeServers({ answer: readingModel });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});
setUpTempProject('studio-val-', (t) => ({ project } = t));

describe('answer matching', () => {
  it('normalises like SQuAD and scores token F1', () => {
    expect(exactMatch('The Eiffel Tower!', 'eiffel tower')).toBe(true);
    // 2 shared tokens: precision 2/5, recall 2/2.
    expect(tokenF1('community centre on Elm Street', 'the community centre')).toBeCloseTo(4 / 7, 5);
    expect(tokenF1('', '')).toBe(1);
  });
});

describe('validation run against three providers', () => {
  it('probes, answers with original and compression on every validator, judges, scores, and checks code', async () => {
    const pairIds = await seed(project);
    const summary = await validate(project, pairIds);
    expect(summary.stoppedBy).toBe('done');
    expect(summary.issues).toEqual([]);
    // Dataset QA became probes for the sessions; the prober filled up to perSource for the two
    // sessions and wrote the programs' probes (its fake writes one question each time).
    const probes = project.db.prepare('SELECT origin, count(*) AS n FROM probes GROUP BY origin ORDER BY origin').all();
    expect(probes).toEqual([
      { origin: 'dataset', n: 3 },
      { origin: 'model:openai/prober-test', n: 4 },
    ]);
    const byModel = Object.fromEntries(summary.scores.byModel.map((m) => [m.model, m]));
    expect(Object.keys(byModel)).toEqual(['anthropic/claude-test', 'openai/gpt-test', 'gemini/gemini-test']);
    // The lossy pair fails the "when" probe on every model; the rules pairs keep every answer.
    const lossyId = pairIds.at(-1) as number;
    for (const m of Object.keys(byModel)) {
      const lossy = summary.scores.pairs.find((p) => p.pairId === lossyId && p.model === m);
      expect(lossy?.equivalence).toBeLessThan(1);
      expect(lossy?.pass).toBe(false);
      expect(byModel[m]?.passed).toBe(pairIds.length - 1);
    }
    // Every provider was asked with the original and with the compression.
    expect(fake.count('anthropic')).toBeGreaterThan(0);
    expect(fake.count('gemini')).toBeGreaterThan(0);
    // Every "different" was the judge's call, and all of them are on the lossy pair, on each model.
    const different = project.db
      .prepare("SELECT pair_id, model, judge FROM verdicts WHERE outcome = 'different' AND method = 'judge'")
      .all() as { pair_id: number; model: string; judge: string }[];
    expect(new Set(different.map((d) => d.pair_id))).toEqual(new Set([lossyId]));
    expect(new Set(different.map((d) => d.model))).toEqual(new Set(Object.keys(byModel)));
    expect(different.every((d) => d.judge === 'openai/judge-test')).toBe(true);
    // Code: same syntax tree and the HumanEval tests pass on the compressed programs.
    expect(summary.code).toHaveLength(2);
    expect(summary.code.every((c) => c.sameAst === true && c.testsPassed === true)).toBe(true);
    // Transfer: the pairs that pass at home pass everywhere.
    expect(summary.scores.transfer.rate).toBe(1);
    // Costs: every call logged (the fake models have no price: null, counted apart).
    const costRows = project.db
      .prepare('SELECT count(*) AS n, sum(cost_usd IS NULL) AS unpriced FROM costs WHERE cached = 0')
      .get() as { n: number; unpriced: number };
    expect(costRows).toEqual({ n: fake.requests.length, unpriced: fake.requests.length });
  });

  it('a second run of the same job makes zero calls', async () => {
    const pairIds = await seed(project);
    await validate(project, pairIds);
    const calls = fake.requests.length;
    const again = await validate(project, pairIds);
    expect(fake.requests.length).toBe(calls);
    expect(again.scores.byModel.map((m) => m.passed)).toEqual([
      pairIds.length - 1,
      pairIds.length - 1,
      pairIds.length - 1,
    ]);
  });

  it('a judge that errs is a judge error, not "different"', async () => {
    const pairIds = await seed(project);
    // Make one original answer trip the fake judge.
    const session = listSources(project.db, { search: 'conv-t1 session 1' })[0];
    project.db
      .prepare("UPDATE sources SET text = replace(text, 'on Monday.', 'on Monday. JUDGE-BREAKS') WHERE id = ?")
      .run(session?.id);
    const summary = await validate(project, pairIds, { validators: [validators[1] as ModelRef] });
    const errors = project.db
      .prepare("SELECT count(*) FROM verdicts WHERE outcome = 'judge-error'")
      .pluck()
      .get() as number;
    expect(errors).toBeGreaterThan(0);
    expect(summary.scores.byModel[0]?.judgeErrors).toBe(errors);
  });

  it('a stopped run resumes without paying twice', async () => {
    const pairIds = await seed(project);
    const oneAtATime = { config: { ...loadValidationConfig(), concurrency: 1 } };
    // An uninterrupted run on a copy of the project, to count what the job costs in calls.
    const otherDir = mkdtempSync(join(tmpdir(), 'studio-val-ref-'));
    const other = openProject({ dir: otherDir, create: true, env: {} });
    const otherIds = await seed(other);
    fake.requests.length = 0;
    await validate(other, otherIds, oneAtATime);
    const uninterrupted = fake.requests.length;
    other.close();
    rmSync(otherDir, { recursive: true, force: true });

    fake.requests.length = 0;
    const controller = new AbortController();
    const stopAfter = Math.floor(uninterrupted / 2);
    const original = fake.answer;
    fake.answer = (req) => {
      if (fake.requests.length >= stopAfter) controller.abort();
      return original(req);
    };
    const first = await validate(project, pairIds, { ...oneAtATime, signal: controller.signal });
    fake.answer = original;
    expect(first.stoppedBy).toBe('cancelled');
    const beforeResume = fake.requests.length;
    expect(beforeResume).toBeLessThan(uninterrupted);
    const second = await validate(project, pairIds, oneAtATime);
    expect(second.stoppedBy).toBe('done');
    // At most the one call in flight when it stopped is made twice.
    expect(fake.requests.length).toBeLessThanOrEqual(uninterrupted + 1);
    expect(second.scores.byModel.map((m) => m.passed)).toEqual([
      pairIds.length - 1,
      pairIds.length - 1,
      pairIds.length - 1,
    ]);
  });
});

describe('answer similarity from sentence embeddings', () => {
  it('is kept on judged verdicts and lets near-identical answers skip the judge', async () => {
    const pairIds = await seed(project);
    const embedder = createLazyMiniLM();
    try {
      const config = loadValidationConfig();
      const summary = await validate(project, pairIds, { validators: validators.slice(0, 1), config, embedder });
      expect(summary.issues).toEqual([]);
      const details = (
        project.db.prepare("SELECT details FROM verdicts WHERE method = 'judge'").pluck().all() as string[]
      ).map((d) => JSON.parse(d) as { via: string; similarity?: number });
      const judged = details.filter((d) => d.via === 'judge');
      expect(judged.length).toBeGreaterThan(0);
      for (const d of judged) {
        expect(d.similarity).toBeGreaterThanOrEqual(-1);
        expect(d.similarity).toBeLessThan(config.similarity.equivalentAbove);
      }
      // The lossy pair still fails: its answers differ in meaning, not just in words.
      const lossy = summary.scores.pairs.find((p) => p.pairId === pairIds.at(-1));
      expect(lossy?.pass).toBe(false);
      // A paraphrase scores far above an unrelated answer.
      const near = await embedder.similarity(
        'She started pottery classes on Monday.',
        'On Monday she began a pottery class.',
      );
      const far = await embedder.similarity('She started pottery classes on Monday.', 'The stock market fell sharply.');
      expect(near).toBeGreaterThan(far + 0.4);
    } finally {
      await embedder.dispose();
    }
  });
});

describe('validation as an app job', () => {
  it('starts from a Pairs view, reports progress, and resumes from its run', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, fakeProviderEnv(fake.url));
    const { createAppContext } = await import('../app-context.ts');
    const { dispatch } = await import('../api/index.ts');
    const app = createAppContext(project);
    try {
      await seed(project);
      const events: string[] = [];
      app.ctx.bus.subscribe((e) => events.push(e.type));
      const models = ['anthropic/claude-test', 'gemini/gemini-test'];
      const { runId } = (await dispatch(app.ctx, 'jobs-validate', {
        query: { domain: 'chat' },
        models,
        judge: 'openai/judge-test',
        prober: 'openai/prober-test',
      })) as { runId: number };
      await app.ctx.jobs.idle();
      const run = (await dispatch(app.ctx, 'runs-get', { id: runId })) as {
        status: string;
        summary: { byModel: { model: string; pairs: number }[] };
      };
      expect(run.status).toBe('succeeded');
      expect(run.summary.byModel.map((m) => [m.model, m.pairs])).toEqual([
        ['anthropic/claude-test', 3],
        ['gemini/gemini-test', 3],
      ]);
      expect(events).toContain('run-progress');
      const calls = fake.requests.length;
      const again = (await dispatch(app.ctx, 'runs-resume', { id: runId })) as { runId: number };
      await app.ctx.jobs.idle();
      expect(((await dispatch(app.ctx, 'runs-get', { id: again.runId })) as { status: string }).status).toBe(
        'succeeded',
      );
      expect(fake.requests.length).toBe(calls);
      await expect(dispatch(app.ctx, 'jobs-validate', { query: { domain: 'nl' } })).rejects.toThrow(
        /no pairs in this view/,
      );
      delete process.env.GEMINI_API_KEY;
      await expect(dispatch(app.ctx, 'jobs-validate', { query: {}, models: ['gemini/x'] })).rejects.toThrow(
        /missing API keys: gemini needs GEMINI_API_KEY/,
      );
    } finally {
      await app.close();
      process.env = saved;
    }
  });
});
