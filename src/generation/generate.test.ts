import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadProvidersConfig, loadValidationConfig } from '../config.ts';
import type { ModelRef } from '../contracts/providers.ts';
import { importPaths } from '../io/import.ts';
import { generateThenValidate } from '../jobs/generate-validate.ts';
import type { Project } from '../project.ts';
import { createBudget } from '../providers/middleware/cost.ts';
import { createProviderRegistry } from '../providers/registry.ts';
import { compressingModel } from '../providers/testing/compressing-model.ts';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../providers/testing/fake-servers.ts';
import { readingModel } from '../providers/testing/reading-model.ts';
import { testJudge, testPricing, testProber, testValidators } from '../providers/testing/test-models.ts';
import { listPairs } from '../store/pairs.ts';
import { listSources } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { runGeneration } from './generate-job.ts';

const FIXTURES = join(import.meta.dirname, '..', 'io', '__fixtures__');
const generator: ModelRef = { provider: 'openai', model: 'gen-test' };
const pricing = testPricing;

let fake: FakeServers;
let dir: string;
let project: Project;

function registry(budgetUsd?: number) {
  const config = loadProvidersConfig();
  for (const p of ['anthropic', 'openai', 'gemini'] as const) config[p].batch.pollIntervalMs = 5;
  return createProviderRegistry({
    db: project.db,
    projectDir: project.dir,
    config,
    pricing,
    env: fakeProviderEnv(fake.url),
    ...(budgetUsd ? { budget: createBudget(budgetUsd) } : {}),
  });
}

async function seed(): Promise<void> {
  const prose = join(dir, 'prose.jsonl');
  const para =
    'The deployment guide explains how the service is rolled out. Each region is upgraded one after another, and the on-call engineer watches the error rate for ten minutes before moving on. If the error rate rises, the rollout stops and the previous version is restored automatically.';
  writeFileSync(
    prose,
    [
      para,
      `${para} BREAK-NO-TAGS`,
      `${para} BREAK-EMPTY`,
      `${para} Alice wrote this. BREAK-INVENT`,
      `${para} BREAK-LONG`,
    ]
      .map((text) => JSON.stringify({ text }))
      .join('\n'),
  );
  await importPaths(project.db, [join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl'), prose], {
    config: project.config.import,
  });
}

beforeAll(async () => {
  fake = await startFakeServers({
    answer: (req) => (req.model === 'gen-test' ? compressingModel(req) : readingModel(req)),
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.batches.length = 0;
});
setUpTempProject('studio-gen-', (t) => ({ dir, project } = t));
beforeEach(() => seed());

describe('prompted generation against the provider servers', () => {
  it('sends each domain its own instruction, stores good candidates with tokens and cost, rejects bad ones with reasons', async () => {
    const summary = await runGeneration(project, {
      strategy: 'prompted',
      ratios: [0.5, 0.7],
      generator,
      registry: registry(),
    });
    expect(summary.stoppedBy).toBe('done');
    // Instructions per domain reached the model.
    const systems = fake.requests.map((r) => r.system);
    expect(systems.some((s) => s.includes('[date] Name: fact'))).toBe(true); // chat/memory
    expect(systems.some((s) => s.includes('compress python source code'))).toBe(true);
    expect(systems.some((s) => s.includes('Drop filler, repetition'))).toBe(true); // prose
    expect(systems.some((s) => s.includes('about 50 %'))).toBe(true);
    expect(fake.requests.every((r) => r.headers.authorization === 'Bearer fake-key')).toBe(true);

    const reasons = summary.rejected.map((r) => r.reason);
    expect(reasons).toContain('no <compressed> block in the answer: "Sure! Here is a shorter version of your text."');
    expect(reasons).toContain('the compression is empty');
    expect(reasons.some((r) => /names, numbers or dates not in the source: "Paris", "1999"/.test(r))).toBe(true);
    expect(reasons.some((r) => /^not shorter than the original/.test(r))).toBe(true);
    // None of the bad answers became a pair.
    const pairs = listPairs(project.db, { strategy: 'prompted' });
    for (const p of pairs) {
      expect(p.compressed).not.toMatch(/Paris|Sure!/);
      expect(p.compressed.trim()).not.toBe('');
    }
    const sources = listSources(project.db, { limit: 1000 });
    const broken = new Set(sources.filter((s) => s.text.includes('BREAK-')).map((s) => s.id));
    expect(pairs.some((p) => broken.has(p.sourceId))).toBe(false);
    // The good ones: per ratio, with the prompt's version, tokens for every tokenizer, and cost.
    expect(pairs.length).toBe(summary.inserted);
    expect(summary.inserted).toBeGreaterThanOrEqual(6);
    for (const p of pairs) {
      expect(p.model).toBe('openai/gen-test');
      expect(p.params).toMatchObject({ promptVersion: 1, prompt: expect.stringMatching(/^(nl|chat|code|mixed)$/) });
      expect([0.5, 0.7]).toContain(p.params.ratio);
      expect(p.strategyVersion).toBe('1+prompt1');
      expect(p.tokensCompressed).toBeLessThan(p.tokensOriginal as number);
      expect(Object.keys(p.metadata.tokens as object).sort()).toEqual(['cl100k', 'claude', 'gemini', 'o200k']);
      expect(p.costUsd).toBeGreaterThan(0);
    }
    expect(summary.costUsd).toBeGreaterThan(0);
    const code = pairs.filter((p) => p.params.prompt === 'code');
    expect(code.length).toBeGreaterThan(0);
    for (const p of code) expect(p.compressed).not.toContain('# plain addition');

    // Resumable and reused: a rerun makes no call and adds no pair.
    const calls = fake.count();
    const again = await runGeneration(project, {
      strategy: 'prompted',
      ratios: [0.5, 0.7],
      generator,
      registry: registry(),
    });
    expect(fake.count()).toBe(calls);
    expect(again.inserted).toBe(0);
  });

  it('code the model breaks is rejected for not parsing', async () => {
    fake.answer = (req) =>
      req.model === 'gen-test' ? { text: '<compressed>def add(a, b:\n    return a +</compressed>' } : readingModel(req);
    try {
      const s = await runGeneration(project, {
        strategy: 'prompted',
        ratios: [0.5],
        generator,
        registry: registry(),
        domain: 'code',
      });
      expect(s.inserted).toBe(0);
      expect(s.rejected.map((r) => r.reason)).toEqual([
        'the python code does not parse (line 1)',
        'the python code does not parse (line 1)',
      ]);
    } finally {
      fake.answer = (req) => (req.model === 'gen-test' ? compressingModel(req) : readingModel(req));
    }
  });

  it('stops at the budget before spending past it', async () => {
    const s = await runGeneration(project, {
      strategy: 'prompted',
      ratios: [0.5],
      generator,
      registry: registry(0.001),
    });
    expect(s.stoppedBy).toBe('budget');
    expect(s.costUsd).toBeLessThanOrEqual(0.001);
  });

  it('goes through the batch endpoints when asked, with the same pairs', async () => {
    const s = await runGeneration(project, {
      strategy: 'prompted',
      ratios: [0.5],
      generator,
      registry: registry(),
      batch: true,
    });
    expect(fake.count(undefined, 'live')).toBe(0);
    expect(fake.batches.length).toBe(1);
    expect(s.batches?.succeeded).toBeGreaterThan(0);
    expect(s.inserted).toBeGreaterThan(0);
  });

  it('generate then validate (chained by the jobs layer) keeps, per source, the shortest candidate that passes', async () => {
    const reg = registry();
    const s = await generateThenValidate(project, {
      strategy: 'prompted',
      ratios: [0.3, 0.6, 0.9],
      generator,
      registry: reg,
      domain: 'chat',
      validate: {
        validators: testValidators.slice(0, 2),
        judge: testJudge,
        prober: testProber,
        registry: reg,
        config: loadValidationConfig(),
      },
    });
    expect(s.chained).toBeDefined();
    const pairs = listPairs(project.db, { strategy: 'prompted' });
    const bySource = new Map<number, number>();
    for (const p of pairs) bySource.set(p.sourceId, (bySource.get(p.sourceId) ?? 0) + 1);
    for (const n of bySource.values()) expect(n).toBe(1);
    expect(pairs.map((p) => p.id).sort()).toEqual([...(s.chained?.kept ?? [])].sort());
    expect(s.chained?.removed).toBe(s.candidates - pairs.length);
    // The kept one passes on every validator and is the shortest that does.
    const verdicts = project.db
      .prepare(
        `SELECT pair_id, model, sum(outcome = 'different') AS bad FROM verdicts WHERE method = 'judge' GROUP BY pair_id, model`,
      )
      .all() as { pair_id: number; bad: number }[];
    for (const p of pairs) expect(verdicts.filter((v) => v.pair_id === p.id).every((v) => v.bad === 0)).toBe(true);
  });
});

describe('pruned generation on code needs no model', () => {
  it('stores code-path candidates that parse, with the entry point kept', async () => {
    const s = await runGeneration(project, { strategy: 'pruned', ratios: [0.3, 0.5, 0.7], domain: 'code' });
    expect(s.inserted).toBeGreaterThan(0);
    for (const p of listPairs(project.db, { strategy: 'pruned' })) {
      expect(p.params.path).toBe('code-lines');
      expect(p.model).toBe('');
      expect(p.compressed).toMatch(/def (add|evens)\(/);
    }
    const again = await runGeneration(project, { strategy: 'pruned', ratios: [0.3, 0.5, 0.7], domain: 'code' });
    expect(again.skipped).toBe(again.sources);
  });

  it('refuses prose without a model, with the flag to use', async () => {
    await expect(runGeneration(project, { strategy: 'pruned', ratios: [0.5], domain: 'chat' })).rejects.toThrow(
      /--model path\/to.gguf/,
    );
  });
});
