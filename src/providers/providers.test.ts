import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Pricing, ProvidersConfigSchema } from '../contracts/providers.ts';
import { BudgetExceededError, ProviderCallError } from '../errors/index.ts';
import type { Db } from '../store/db.ts';
import { setUpTempDb } from '../store/testing/project-fixture.ts';
import { createAnthropicProvider } from './anthropic/index.ts';
import { createGeminiProvider } from './gemini/index.ts';
import { cacheMiddleware } from './middleware/cache.ts';
import { costMiddleware, createBudget } from './middleware/cost.ts';
import { rateLimitMiddleware } from './middleware/rate-limit.ts';
import { retryMiddleware } from './middleware/retry.ts';
import { createOpenAiProvider } from './openai/index.ts';
import { createProviderRegistry } from './registry.ts';
import { type CompletionRequest, type Provider, wrapProvider } from './spec.ts';
import { type FakeProvider, type FakeServers, startFakeServers } from './testing/fake-servers.ts';

let fake: FakeServers;
let dir: string;
let db: Db;

const settings = ProvidersConfigSchema.parse({
  anthropic: { apiKeyEnv: 'ANTHROPIC_API_KEY', baseUrlEnv: 'ANTHROPIC_BASE_URL', timeoutMs: 1500 },
  openai: { apiKeyEnv: 'OPENAI_API_KEY', baseUrlEnv: 'OPENAI_BASE_URL', timeoutMs: 1500 },
  gemini: { apiKeyEnv: 'GEMINI_API_KEY', baseUrlEnv: 'GEMINI_BASE_URL', timeoutMs: 1500 },
  models: {
    generator: { provider: 'openai', model: 'm' },
    prober: { provider: 'openai', model: 'm' },
    judge: { provider: 'openai', model: 'm' },
    validators: [{ provider: 'openai', model: 'm' }],
  },
});

function env() {
  return {
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: fake.url,
    OPENAI_API_KEY: 'sk-openai-test',
    OPENAI_BASE_URL: `${fake.url}/v1`,
    GEMINI_API_KEY: 'gemini-test',
    GEMINI_BASE_URL: fake.url,
  };
}

function providers(): Record<FakeProvider | 'openai-responses', Provider> {
  return {
    anthropic: createAnthropicProvider(settings.anthropic, env()),
    openai: createOpenAiProvider(settings.openai, env()),
    'openai-responses': createOpenAiProvider({ ...settings.openai, api: 'responses' }, env()),
    gemini: createGeminiProvider(settings.gemini, env()),
  };
}

const ask = (text: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'test-model',
  system: 'You answer briefly.',
  messages: [{ role: 'user', content: text }],
  maxTokens: 64,
  temperature: 0,
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeServers();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});
setUpTempDb('studio-prov-', (t) => ({ dir, db } = t));

describe('adapters over the official SDKs, against servers that speak each wire format', () => {
  it.each(['anthropic', 'openai', 'openai-responses', 'gemini'] as const)(
    '%s: text, usage, finish reason; system and messages arrive',
    async (name) => {
      const p = providers()[name];
      const res = await p.complete(
        ask('What is 2+2?', {
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello' },
            { role: 'user', content: 'What is 2+2?' },
          ],
        }),
      );
      expect(res).toMatchObject({ text: 'echo: What is 2+2?', finishReason: 'stop', cached: false });
      expect(res.usage.inputTokens).toBeGreaterThan(0);
      expect(res.usage.outputTokens).toBeGreaterThan(0);
      const seen = fake.requests.at(-1);
      expect(seen?.system).toBe('You answer briefly.');
      expect(seen?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(seen?.model).toBe('test-model');
    },
  );

  it.each(['anthropic', 'openai', 'openai-responses', 'gemini'] as const)(
    '%s: structured output through each API’s own JSON mechanism',
    async (name) => {
      const res = await providers()[name].complete(
        ask('Answer in JSON', {
          json: {
            name: 'answer',
            schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
          },
        }),
      );
      expect(JSON.parse(res.text)).toEqual({ answer: 'ok' });
      expect(fake.requests.at(-1)?.wantsJson).toBe(true);
    },
  );

  it('sends the keys the way each SDK does', async () => {
    const p = providers();
    await p.anthropic.complete(ask('a'));
    await p.openai.complete(ask('b'));
    await p.gemini.complete(ask('c'));
    const [a, o, g] = fake.requests;
    expect(a?.headers['x-api-key'] ?? a?.headers.authorization).toMatch(/sk-ant-test/);
    expect(o?.headers.authorization).toBe('Bearer sk-openai-test');
    expect(g?.headers['x-goog-api-key']).toBe('gemini-test');
  });

  it('takes the Gemini key from GOOGLE_API_KEY too, GEMINI_API_KEY winning when both are set', async () => {
    const { GEMINI_API_KEY: _, ...rest } = env();
    await createGeminiProvider(settings.gemini, { ...rest, GOOGLE_API_KEY: 'google-key' }).complete(ask('a'));
    await createGeminiProvider(settings.gemini, { ...env(), GOOGLE_API_KEY: 'google-key' }).complete(ask('b'));
    expect(fake.requests.map((r) => r.headers['x-goog-api-key'])).toEqual(['google-key', 'gemini-test']);
    const registry = createProviderRegistry({ db, projectDir: dir, config: settings, pricing: {}, env: {} });
    expect(registry.missingKeys([{ provider: 'gemini', model: 'g' }])).toEqual([
      'gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY)',
    ]);
  });

  it.each([
    ['anthropic', 401, /Anthropic answered 401.*check ANTHROPIC_API_KEY/],
    ['openai', 400, /OpenAI answered 400.*check the model name/],
    ['gemini', 403, /Gemini answered 403.*no access to this model/],
  ] as const)('%s %i fails at once, not retryable, saying what to fix', async (name, status, message) => {
    fake.fail(name, { kind: 'status', status });
    const sleeps: number[] = [];
    const p = wrapProvider(providers()[name], [
      retryMiddleware({ maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100, sleep: async (ms) => void sleeps.push(ms) }),
    ]);
    const error = await p.complete(ask('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCallError);
    expect(error).toMatchObject({ status, retryable: false });
    expect((error as Error).message).toMatch(message);
    expect(sleeps).toEqual([]);
    expect(fake.count(name)).toBe(1);
  });
});

describe('retry', () => {
  it.each([
    [
      'anthropic',
      [
        { kind: 'status', status: 429, retryAfter: '2' },
        { kind: 'status', status: 529 },
      ],
    ],
    [
      'openai',
      [
        { kind: 'status', status: 429, retryAfter: '2' },
        { kind: 'status', status: 500 },
      ],
    ],
    [
      'gemini',
      [
        { kind: 'status', status: 429, retryAfter: '2' },
        { kind: 'status', status: 503 },
      ],
    ],
  ] as const)('%s: backs off on 429 (honouring retry-after) and 5xx, then succeeds', async (name, faults) => {
    fake.fail(name, ...faults);
    const sleeps: number[] = [];
    const p = wrapProvider(providers()[name], [
      retryMiddleware({
        maxRetries: 4,
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
      }),
    ]);
    const res = await p.complete(ask('retry me'));
    expect(res.text).toBe('echo: retry me');
    expect(fake.count(name)).toBe(3);
    // First wait: at least the 2 s the server asked for; second: exponential backoff with jitter.
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[1]).toBe(Math.round(200 * 0.75));
  });

  it('retries a timeout, a dropped connection, a truncated and a malformed body', async () => {
    fake.fail('openai', { kind: 'delay', ms: 2500 }, { kind: 'drop' }, { kind: 'truncated' }, { kind: 'malformed' });
    const errors: string[] = [];
    const p = wrapProvider(providers().openai, [
      retryMiddleware({
        maxRetries: 5,
        baseDelayMs: 1,
        maxDelayMs: 5,
        onRetry: (i) => void errors.push(i.error.message),
      }),
    ]);
    const res = await p.complete(ask('survive'));
    expect(res.text).toBe('echo: survive');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/OpenAI: no answer/);
  }, 20_000);

  it('gives up after the allowed attempts with the last error and the count', async () => {
    fake.fail('anthropic', ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 529 })));
    const p = wrapProvider(providers().anthropic, [retryMiddleware({ maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 })]);
    const error = (await p.complete(ask('x')).catch((e: unknown) => e)) as ProviderCallError;
    expect(error.message).toMatch(/Anthropic answered 529.*gave up after 3 attempts/);
    expect(error.retryable).toBe(true);
    expect(fake.count('anthropic')).toBe(3);
    fake.requests.length = 0;
    // Drain the fault queue for the tests that follow.
    await providers()
      .anthropic.complete(ask('x'))
      .catch(() => undefined);
  });
});

describe('cache', () => {
  it('a rerun makes zero calls; identical calls in flight share one; errors and empty answers are not kept', async () => {
    const p = wrapProvider(providers().gemini, [cacheMiddleware(db)]);
    const [a, b] = await Promise.all([p.complete(ask('same')), p.complete(ask('same'))]);
    expect(a).toMatchObject({ text: 'echo: same', cached: false });
    // The second caller joined the first call: it made none, so it is a cache hit.
    expect(b).toMatchObject({ text: 'echo: same', cached: true });
    expect(fake.count('gemini')).toBe(1);
    const again = await p.complete(ask('same'));
    expect(again).toMatchObject({ text: 'echo: same', cached: true, costUsd: 0 });
    expect(fake.count('gemini')).toBe(1);
    // Different parameters, different entry.
    await p.complete(ask('same', { temperature: 0.5 }));
    expect(fake.count('gemini')).toBe(2);

    fake.fail('gemini', { kind: 'status', status: 500 });
    await expect(p.complete(ask('fails once'))).rejects.toThrow(/500/);
    expect((await p.complete(ask('fails once'))).text).toBe('echo: fails once');

    const original = fake.answer;
    fake.answer = () => ({ text: '' });
    await p.complete(ask('empty'));
    await p.complete(ask('empty'));
    fake.answer = original;
    expect(fake.requests.filter((r) => r.messages.at(-1)?.content === 'empty')).toHaveLength(2);
    const keys = db.prepare('SELECT key FROM response_cache').pluck().all() as string[];
    expect(keys.length).toBe(3);
    expect(JSON.stringify(db.prepare('SELECT * FROM response_cache').all())).not.toContain('gemini-test');
  });
});

describe('cost and budget', () => {
  const pricing: Pricing = {
    openai: { 'test-model': { input: 2, cachedInput: 0.5, output: 8 } },
    local: { '*': { input: 0, output: 0 } },
  };

  it('prices each call into data/costs.log and the costs table; an unknown price is null, not 0', async () => {
    const logFile = join(dir, 'data', 'costs.log');
    const priced = wrapProvider(providers().openai, [cacheMiddleware(db), costMiddleware({ db, pricing, logFile })]);
    const res = await priced.complete(ask('price me'), { runId: undefined, purpose: 'answer' });
    const expected = (res.usage.inputTokens * 2 + res.usage.outputTokens * 8) / 1e6;
    expect(res.costUsd).toBeCloseTo(expected, 12);
    const unknown = wrapProvider(providers().gemini, [costMiddleware({ db, pricing, logFile })]);
    expect((await unknown.complete(ask('no price'))).costUsd).toBeNull();
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { costUsd: number | null; purpose: string | null; provider: string });
    expect(lines).toEqual([
      expect.objectContaining({ provider: 'openai', costUsd: expected, purpose: 'answer' }),
      expect.objectContaining({ provider: 'gemini', costUsd: null }),
    ]);
    const rows = db.prepare('SELECT provider, cost_usd FROM costs ORDER BY id').all();
    expect(rows).toEqual([
      { provider: 'openai', cost_usd: expected },
      { provider: 'gemini', cost_usd: null },
    ]);
  });

  it('a rerun through the cache costs 0', async () => {
    const logFile = join(dir, 'data', 'costs.log');
    const p = wrapProvider(providers().openai, [costMiddleware({ db, pricing, logFile }), cacheMiddleware(db)]);
    await p.complete(ask('twice'));
    const second = await p.complete(ask('twice'));
    expect(second).toMatchObject({ cached: true, costUsd: 0 });
    expect(db.prepare('SELECT sum(cached) FROM costs').pluck().get()).toBe(1);
  });

  it('stops before a call that could exceed the budget, and refuses unpriced models under a budget', async () => {
    const logFile = join(dir, 'data', 'costs.log');
    const budget = createBudget(0.0008);
    const p = wrapProvider(providers().openai, [costMiddleware({ db, pricing, logFile, budget })]);
    const small = ask('cheap', { maxTokens: 20 });
    let calls = 0;
    let stopped: unknown;
    for (let i = 0; i < 50 && !stopped; i++) {
      try {
        await p.complete({ ...small, messages: [{ role: 'user', content: `cheap ${i}` }] });
        calls++;
      } catch (e) {
        stopped = e;
      }
    }
    expect(stopped).toBeInstanceOf(BudgetExceededError);
    expect(calls).toBeGreaterThan(0);
    expect(budget.spentUsd).toBeLessThanOrEqual(budget.limitUsd);
    const g = wrapProvider(providers().gemini, [costMiddleware({ db, pricing, logFile, budget: createBudget(10) })]);
    await expect(g.complete(ask('x'))).rejects.toThrow(/no price in configs\/pricing.yaml/);
  });
});

describe('rate limits', () => {
  it('keeps at most maxInFlight calls at once', async () => {
    fake.latencyMs = 60;
    try {
      let inFlight = 0;
      let peak = 0;
      const counting: Provider = {
        id: 'openai',
        async complete(req, o) {
          inFlight++;
          peak = Math.max(peak, inFlight);
          try {
            return await providers().openai.complete(req, o);
          } finally {
            inFlight--;
          }
        },
      };
      const p = wrapProvider(counting, [rateLimitMiddleware({ maxInFlight: 3 })]);
      await Promise.all(Array.from({ length: 10 }, (_, i) => p.complete(ask(`q${i}`))));
      expect(peak).toBe(3);
    } finally {
      fake.latencyMs = 0;
    }
  });

  it('waits when the requests-per-minute window is full', async () => {
    let clock = 0;
    const waits: number[] = [];
    const p = wrapProvider(providers().openai, [
      rateLimitMiddleware(
        { maxInFlight: 10, requestsPerMinute: 2 },
        {
          now: () => clock,
          sleep: async (ms) => {
            waits.push(ms);
            await new Promise((r) => setTimeout(r, 5));
          },
        },
      ),
    ]);
    await p.complete(ask('1'));
    await p.complete(ask('2'));
    const third = p.complete(ask('3'));
    let done = false;
    void third.then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    clock = 60_001;
    await third;
    expect(fake.count('openai')).toBe(3);
    // It asked to wait until the first call left the minute.
    expect(waits[0]).toBe(60_000);
  });
});
