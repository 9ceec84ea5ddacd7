import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { ProviderCallError } from '../errors/index.ts';
import { openDb } from '../store/db.ts';
import { createTokenCounter, formatCount } from './index.ts';
import { countTiktoken, getEncoder } from './tiktoken.ts';

const config = loadConfig().tokenizers;

describe('OpenAI encodings', () => {
  it('counts exactly with o200k and cl100k', async () => {
    expect(await countTiktoken('hello world', 'o200k')).toBe(2);
    expect(await countTiktoken('hello world', 'cl100k')).toBe(2);
    expect(await countTiktoken('', 'o200k')).toBe(0);
    // Special-token text in user content is plain text, not a control token.
    expect(await countTiktoken('<|endoftext|>', 'cl100k')).toBeGreaterThan(1);
    // The two encodings differ on non-English text: o200k was trained on more of it.
    const hindi = 'नमस्ते, आप कैसे हैं? मैं ठीक हूँ, धन्यवाद।';
    expect(await countTiktoken(hindi, 'o200k')).toBeLessThan(await countTiktoken(hindi, 'cl100k'));
  });
});

describe('a long piece', () => {
  // The pre-tokenizer makes a run of emoji, brackets or letters one piece, and js-tiktoken's
  // byte-pair merge is quadratic in a piece's length: 2,400 emoji took 48 s a count here, 6,000
  // brackets 14 s (a fuzz, session 40). Such pieces are merged with a heap (lazy-tiktoken.ts).
  it('is counted exactly, in about linear time', async () => {
    const enc = await getEncoder('o200k');
    expect(await countTiktoken('😀🎉👍'.repeat(800), 'o200k')).toBe(3200);
    expect(await countTiktoken(`${'['.repeat(6000)}${']'.repeat(6000)}`, 'o200k')).toBe(6000);
    const minified = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n${i}`, ok: i % 2 === 0 })));
    expect(await countTiktoken(minified, 'o200k')).toBe(enc.encode(minified, [], []).length);
  }, 30_000);
});

describe('Claude and Gemini without keys', () => {
  it('estimate from o200k with the per-domain factor, and say so', async () => {
    const counter = createTokenCounter({ config, env: {} });
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const o200k = await countTiktoken(text, 'o200k');
    const claude = await counter.count(text, 'claude', { domain: 'nl' });
    expect(claude).toEqual({
      tokenizer: 'claude',
      method: 'estimate',
      count: Math.ceil(o200k * config.claude.estimateFactor.nl),
    });
    const code = await counter.count(text, 'claude', { domain: 'code' });
    expect(code.count).toBe(Math.ceil(o200k * config.claude.estimateFactor.code));
    expect(counter.methodFor('gemini')).toBe('estimate');
    expect(formatCount(claude)).toMatch(/\(estimate\)$/);
    expect(formatCount({ count: 1234, method: 'exact' })).toBe('1,234');
    for (const count of [0, 7, 999, 1000, 65_536, 1_234_567, 9_007_199_254_740_991, 1e21, 12.5])
      expect(formatCount({ count, method: 'exact' })).toBe(count.toLocaleString('en-US'));
  });
});

/** Count-tokens endpoints as the two providers serve them: framing tokens plus one per word. */
interface Fake {
  server: Server;
  url: string;
  requests: { path: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[];
  failWith?: number;
}

async function startFake(): Promise<Fake> {
  const fake: Fake = { server: createServer(), url: '', requests: [] };
  fake.server.on('request', (req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      fake.requests.push({ path: req.url ?? '', body, headers: req.headers });
      res.setHeader('content-type', 'application/json');
      if (fake.failWith) {
        res.statusCode = fake.failWith;
        res.end(
          req.url?.startsWith('/v1/messages')
            ? JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })
            : JSON.stringify({
                error: { code: fake.failWith, message: 'API key not valid.', status: 'UNAUTHENTICATED' },
              }),
        );
        return;
      }
      const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
      if (req.url === '/v1/messages/count_tokens') {
        const messages = body.messages as { content: string }[];
        res.end(JSON.stringify({ input_tokens: 7 + words(messages[0]?.content ?? '') }));
      } else if (req.url?.includes(':countTokens')) {
        const contents = body.contents as { parts: { text: string }[] }[];
        res.end(JSON.stringify({ totalTokens: words(contents[0]?.parts[0]?.text ?? '') }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

describe('count-tokens endpoints through the official SDKs', () => {
  let fake: Fake;
  let dir: string;
  beforeAll(async () => {
    fake = await startFake();
    dir = mkdtempSync(join(tmpdir(), 'studio-tok-'));
  });
  afterAll(() => {
    fake.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    ANTHROPIC_API_KEY: 'sk-test',
    ANTHROPIC_BASE_URL: fake.url,
    GEMINI_API_KEY: 'g-test',
    GEMINI_BASE_URL: fake.url,
  });

  it('asks Claude, subtracts the message framing, and caches the count in the store', async () => {
    const db = openDb(join(dir, 'a.db'), { create: true });
    const counter = createTokenCounter({ config, env: env(), db });
    fake.requests.length = 0;
    expect(counter.methodFor('claude')).toBe('api');
    const c = await counter.count('one two three four five', 'claude');
    expect(c).toEqual({ tokenizer: 'claude', count: 5, method: 'api' });
    const sent = fake.requests.find(
      (r) => r.body.messages && (r.body.messages as { content: string }[])[0]?.content.includes('one'),
    );
    expect(sent?.body.model).toBe(config.claude.model);
    // Recent SDKs send the key as a bearer token; older ones as x-api-key.
    expect(sent?.headers['x-api-key'] ?? sent?.headers.authorization).toMatch(/^(Bearer )?sk-test$/);
    const before = fake.requests.length;
    expect((await counter.count('one two three four five', 'claude')).count).toBe(5);
    expect(fake.requests.length).toBe(before);
    db.close();
  });

  it('asks Gemini through its SDK with the base URL from the environment', async () => {
    const counter = createTokenCounter({ config, env: env() });
    fake.requests.length = 0;
    expect(await counter.count('alpha beta gamma', 'gemini')).toEqual({ tokenizer: 'gemini', count: 3, method: 'api' });
    expect(fake.requests[0]?.path).toContain(`models/${config.gemini.model}:countTokens`);
    expect(fake.requests[0]?.headers['x-goog-api-key']).toBe('g-test');
  });

  it('fails at once on a bad key, with a message naming the provider and not retryable', async () => {
    fake.failWith = 401;
    try {
      const counter = createTokenCounter({ config, env: env() });
      fake.requests.length = 0;
      const error = await counter.count('x y', 'claude').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderCallError);
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect((error as Error).message).toMatch(/Anthropic count-tokens failed.*invalid x-api-key/);
      const gemini = await counter.count('x y', 'gemini').catch((e: unknown) => e);
      expect(gemini).toMatchObject({ status: 401, retryable: false });
      // 401 is not retried: one request for Gemini, two for Claude (text and framing in parallel).
      expect(fake.requests.length).toBe(3);
    } finally {
      fake.failWith = undefined;
    }
  });

  it('in a project, a failing endpoint shows the labelled estimate instead of breaking the view', async () => {
    const db = openDb(join(dir, 'c.db'), { create: true });
    fake.failWith = 500;
    try {
      const c = await createTokenCounter({ config, env: env(), db }).count('five words in this text', 'claude');
      expect(c.method).toBe('estimate');
      expect(c.count).toBeGreaterThan(0);
    } finally {
      fake.failWith = undefined;
      db.close();
    }
  });

  it('replaces a cached estimate by the real count once a key is configured', async () => {
    const db = openDb(join(dir, 'b.db'), { create: true });
    const text = 'six words are in this text';
    const offline = await createTokenCounter({ config, env: {}, db }).count(text, 'claude');
    expect(offline.method).toBe('estimate');
    const online = await createTokenCounter({ config, env: env(), db }).count(text, 'claude');
    expect(online).toEqual({ tokenizer: 'claude', count: 6, method: 'api' });
    db.close();
  });
});
