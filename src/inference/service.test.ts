import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressor } from './compress.ts';
import { parseInferenceConfig } from './config.ts';
import { type RunningService, startCompressorService } from './service.ts';

const config = parseInferenceConfig({
  pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
  limits: { maxTextChars: 20_000, maxTexts: 8 },
  service: { maxBodyBytes: 64 * 1024 },
  cache: { entries: 100 },
});

const PROSE =
  'Basically, I just wanted to let you know that the meeting with Alice Johnson has been moved to March 3rd, 2025 at 10:30 am in room 42. Please make sure you actually bring the quarterly report.';

let svc: RunningService;
const compressor = createCompressor(config);

beforeAll(async () => {
  svc = await startCompressorService({ compressor, port: 0, token: 'test-token' });
});
afterAll(async () => {
  await svc.close();
  await compressor.dispose();
});

const auth = { authorization: 'Bearer test-token' };

async function post(body: BodyInit, headers: Record<string, string> = {}) {
  const res = await fetch(`${svc.url}/v1/compress`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}

/** A raw request over node:http, so bodies can be any bytes (and lie about nothing). */
function rawPost(bytes: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${svc.url}/v1/compress`,
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-length': bytes.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

describe('POST /v1/compress', () => {
  it('compresses one text and many, with tokens, strategy and timings', async () => {
    const one = await post(JSON.stringify({ text: PROSE }));
    expect(one.status).toBe(200);
    const r = one.json.result as { text: string; tokensBefore: number; tokensAfter: number; strategy: string };
    expect(r.strategy).toBe('rules');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    expect(r.text).toContain('Alice Johnson');
    const many = await post(JSON.stringify({ texts: [PROSE, `${PROSE} Thanks!`], options: { domain: 'nl' } }));
    expect(many.status).toBe(200);
    expect((many.json.results as unknown[]).length).toBe(2);
  });

  it('answers a repeat from the cache', async () => {
    await post(JSON.stringify({ text: `${PROSE} Cache me.` }));
    const again = await post(JSON.stringify({ text: `${PROSE} Cache me.` }));
    const r = again.json.result as { cached: boolean; totalMs: number };
    expect(r.cached).toBe(true);
    expect(r.totalMs).toBeLessThan(50);
  });

  it('answers an empty text and a batch holding one with the text as it came (review)', async () => {
    const one = await post(JSON.stringify({ text: '' }));
    expect(one.status).toBe(200);
    expect(one.json.result).toMatchObject({ text: '', tokensAfter: 0, strategy: 'none' });
    const many = await post(JSON.stringify({ texts: [`${PROSE} Batch with a blank.`, '   '] }));
    expect(many.status).toBe(200);
    const results = many.json.results as { text: string; notes: string[] }[];
    expect(results[0]?.text.length).toBeGreaterThan(0);
    expect(results[1]).toMatchObject({ text: '   ' });
    expect(results[1]?.notes.join(' ')).toMatch(/white space/);
  });

  it('refuses bad input with a clear 4xx', async () => {
    const cases: [BodyInit, number, RegExp][] = [
      ['', 400, /empty/],
      ['{"text": ', 400, /not JSON/],
      ['[1,2]', 400, /text|texts/],
      ['{"text": 42}', 400, /text/],
      ['{"texts": []}', 400, /texts/],
      ['{"texts": ["a", 3]}', 400, /texts\.1/],
      ['{"text": "hi", "bogus": 1}', 400, /bogus|Unrecognized/i],
      // An option sent beside the text (as the issue wrote it) is named, with where it goes.
      ['{"text": "hi", "query": "When?", "ratio": 0.1}', 400, /"query", "ratio" go under "options"/],
      [
        '{"text": "hi", "query": "When?"}',
        400,
        /"query" goes under "options": \{"text": "...", "options": \{"query": ...\}\}/,
      ],
      ['{"text": "hi", "options": {"ratio": 2}}', 400, /ratio/],
      // Two budgets at once: refused, as the CLI refuses --ratio with --max-tokens, not one picked silently.
      ['{"text": "hi", "options": {"ratio": 0.5, "maxTokens": 10}}', 400, /"ratio" or "maxTokens", not both/],
      ['{"text": "hi", "options": {"domain": "poetry"}}', 400, /domain/],
      ['{"text": "hi", "options": {"model": "nope"}}', 400, /unknown model/],
      [JSON.stringify({ texts: Array(9).fill('x') }), 413, /limit of 8/],
      [JSON.stringify({ text: 'word '.repeat(5000) }), 413, /limit of 20000/],
    ];
    for (const [body, status, message] of cases) {
      const r = await post(body);
      expect(r.status, String(body).slice(0, 60)).toBe(status);
      expect(r.json.error?.message, String(body).slice(0, 60)).toMatch(message);
    }
  });

  it('refuses a body over the limit with 413, by its length or while it streams', async () => {
    const big = Buffer.from(JSON.stringify({ text: 'a'.repeat(200_000) }));
    const declared = await rawPost(big);
    expect(declared.status).toBe(413);
    // Chunked, no Content-Length: cut off while reading.
    const res = await fetch(`${svc.url}/v1/compress`, {
      method: 'POST',
      headers: auth,
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('a'.repeat(10_000)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('refuses invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const r = await rawPost(bytes);
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/UTF-8/);
  });

  it('needs the token and a loopback Host', async () => {
    const r = await post(JSON.stringify({ text: PROSE }), { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    const host = await new Promise<number>((resolve) => {
      request(`${svc.url}/health`, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end();
    });
    expect(host).toBe(421);
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
  });

  it('survives fuzzed bodies and 1,000 concurrent requests, then reports metrics', async () => {
    const junk: Buffer[] = [];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 60; i++) junk.push(Buffer.from(Array.from({ length: rand() % 300 }, () => rand() % 256)));
    const shapes = [
      'null',
      '"text"',
      '{"text": null}',
      '{"texts": "abc"}',
      '{"text": ["a"]}',
      '{"options": {}}',
      '1e999',
    ];
    for (const b of [...junk, ...shapes.map((s) => Buffer.from(s))]) {
      const r = await rawPost(b);
      expect([400, 413]).toContain(r.status);
    }
    const N = 1000;
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post(
          i % 10 === 0
            ? '{"text": '
            : JSON.stringify({ text: `${PROSE} Item number ${i % 50}.`, options: { domain: 'nl' } }),
        ).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200).length).toBe(N - N / 10);
    expect(statuses.filter((s) => s === 400).length).toBe(N / 10);
    const health = await fetch(`${svc.url}/health`);
    expect(health.status).toBe(200);
    const m = (await (await fetch(`${svc.url}/metrics`, { headers: auth })).json()) as {
      requests: number;
      compress: { latencyMs: { p50: number; p95: number }; tokensSaved: number; cacheHits: number };
    };
    expect(m.requests).toBeGreaterThan(N);
    expect(m.compress.latencyMs.p95).toBeGreaterThanOrEqual(m.compress.latencyMs.p50);
    expect(m.compress.tokensSaved).toBeGreaterThan(0);
    expect(m.compress.cacheHits).toBeGreaterThan(0);
  });

  it('answers a known route asked with the wrong method with 405 and its Allow header', async () => {
    for (const [path, method, allow] of [
      ['/v1/compress', 'GET', 'POST'],
      ['/v1/compress', 'PUT', 'POST'],
      ['/v1/models', 'POST', 'GET, HEAD'],
      ['/health', 'DELETE', 'GET, HEAD'],
    ] as const) {
      const res = await fetch(`${svc.url}${path}`, { method, headers: auth });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(`takes ${allow}`);
    }
    // An unknown path outside the providers' /v1 and /v1beta (which the proxy passes through) is "no route".
    expect((await fetch(`${svc.url}/nothing`, { headers: auth })).status).toBe(404);
  });

  it('lists the models and pipelines', async () => {
    const res = await fetch(`${svc.url}/v1/models`, { headers: auth });
    const body = (await res.json()) as { pipelines: Record<string, string[]> };
    expect(res.status).toBe(200);
    expect(body.pipelines.code).toEqual(['rules', 'code-path']);
  });
});

describe('POST /v1/compress with a query', () => {
  it('selects what the query needs within maxTokens, and names a bad field', async () => {
    const c = createCompressor(
      parseInferenceConfig({
        pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
        // No MiniLM file: BM25 alone, nothing written to any cache.
        query: { embedder: '/nonexistent/minilm.gguf', embeddingCache: 'off' },
      }),
    );
    const s = await startCompressorService({ compressor: c, port: 0, token: 'q' });
    try {
      const memory = [
        'Session 1 (10:00 am on 3 April, 2024): Dana and Eli',
        'Dana: I adopted a grey cat called Pixel from the shelter on Friday.',
        'Eli: My brother moved to Oslo for a job at a shipping company.',
        'Dana: We painted the kitchen yellow over the long weekend.',
        'Eli: I started running in the mornings before work.',
      ].join('\n');
      const send = (options: unknown) =>
        fetch(`${s.url}/v1/compress`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer q' },
          body: JSON.stringify({ text: memory, options }),
        });
      const ok = await send({ query: 'What is the name of the cat Dana adopted?', maxTokens: 40 });
      expect(ok.status).toBe(200);
      const r = (
        (await ok.json()) as { result: { text: string; strategy: string; tokensAfter: number; notes: string[] } }
      ).result;
      expect(r.strategy).toBe('select');
      expect(r.tokensAfter).toBeLessThanOrEqual(40);
      expect(r.text).toContain('Dana: adopted grey cat called Pixel shelter Friday'); // telegraphic (query.style)
      expect(r.text.startsWith('Session 1 (10:00 am 3 April 2024):')).toBe(true);
      expect(r.notes.join('\n')).toContain('BM25 only');
      const bad = await send({ query: 'cat', maxTokens: 0 });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('maxTokens');
      // How long a new memory's embedding may hold the call (CompressOptions.denseWithinMs): a
      // whole number of milliseconds; without a MiniLM file there is nothing to wait for.
      const quick = await send({ query: 'Where did Eli go?', maxTokens: 40, denseWithinMs: 500 });
      expect(quick.status).toBe(200);
      expect(((await quick.json()) as { result: { text: string } }).result.text).toContain('Oslo');
      const late = await send({ query: 'cat', denseWithinMs: 1.5 });
      expect(late.status).toBe(400);
      expect(JSON.stringify(await late.json())).toContain('options.denseWithinMs');
    } finally {
      await s.close();
      await c.dispose();
    }
  });
});
