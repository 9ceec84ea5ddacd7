import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLM } from '../embeddings/minilm.ts';
import { type FakeServers, startFakeServers } from '../providers/testing/fake-servers.ts';
import { type Compressor, createCompressor } from './compress.ts';
import { type InferenceConfigInput, parseInferenceConfig } from './config.ts';
import { type RunningService, startCompressorService } from './service.ts';

const MEMORY = [
  "Caroline: Hey Mel! Oh wow, it's so great to see you, honestly I have to tell you that I went to the LGBTQ support group yesterday and it was really, really powerful.",
  "Melanie: Oh wow, that's awesome Caroline! I'm so, so glad you went. What did you like most about it?",
  'Caroline: Well, you know, basically the transgender stories were just so inspiring, I mean it really made me think about my own journey since 2019.',
  "Melanie: Oh wow, that's amazing, honestly. By the way, I painted a lake sunrise on 8 May 2022, it's like my favourite painting ever!",
].join('\n');
const PROSE =
  'Basically, I just wanted to let you know that the meeting with Alice Johnson has been moved to March 3rd, 2025 at 10:30 am in room 42. Please make sure you actually bring the quarterly report, which is really quite important. In order to be honest, it is very important that everyone actually attends.';
const QUESTION = 'When did Melanie paint the lake sunrise? Answer briefly.';

function configFor(upstream: string, extra: InferenceConfigInput = {}) {
  return parseInferenceConfig({
    pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
    ...extra,
    proxy: {
      upstreams: { anthropic: upstream, openai: upstream, gemini: upstream },
      minSavedTokens: 5,
      timeoutMs: 300,
      // These tests are about transport: the rules compress the blocks. The query-aware path has its own test.
      query: 'off',
      ...extra.proxy,
    },
  });
}

/** An upstream that records raw bytes and answers JSON, or streams SSE in two halves on request. */
interface RawUpstream {
  url: string;
  seen: { path: string; headers: IncomingHttpHeaders; body: Buffer }[];
  /** Streaming: the second half is sent when this is called. */
  release: () => void;
  streamed: Buffer[];
  close(): Promise<void>;
}

async function startRawUpstream(): Promise<RawUpstream> {
  let release: () => void = () => undefined;
  const state: RawUpstream = {
    url: '',
    seen: [],
    streamed: [],
    release: () => release(),
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.seen.push({ path: req.url ?? '', headers: req.headers, body });
      if (!body.toString().includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'raw' });
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      const first = Buffer.from(
        'event: message_start\ndata: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","model":"x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
      );
      const rest = Buffer.from(
        [
          'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
          'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"8 May 2022"}}\n\n',
          'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
          'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":4}}\n\n',
          'event: message_stop\ndata: {"type":"message_stop"}\n\n',
        ].join(''),
      );
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(first);
      state.streamed.push(first);
      release = () => {
        state.streamed.push(rest);
        res.end(rest);
      };
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

let fake: FakeServers;
let raw: RawUpstream;
let svc: RunningService;
let compressor: Compressor;

beforeAll(async () => {
  fake = await startFakeServers();
  raw = await startRawUpstream();
  compressor = createCompressor(configFor(fake.url));
  svc = await startCompressorService({ compressor, port: 0, token: 't' });
});
afterAll(async () => {
  await svc.close();
  await fake.close();
  await raw.close();
  await compressor.dispose();
});

/** A second service over the same compressor logic, pointed elsewhere or with a broken compressor. */
async function withService<T>(
  upstream: string,
  fn: (url: string) => Promise<T>,
  options: { extra?: InferenceConfigInput; compressMany?: Compressor['compressMany'] } = {},
): Promise<T> {
  const c = createCompressor(configFor(upstream, options.extra));
  const wrapped: Compressor = options.compressMany ? { ...c, compressMany: options.compressMany } : c;
  const s = await startCompressorService({ compressor: wrapped, port: 0, token: 't' });
  try {
    return await fn(s.url);
  } finally {
    await s.close();
    await c.dispose();
  }
}

describe('the proxy with the official SDKs', () => {
  it('Anthropic: compresses the <memory> block only, passes the key, reports the savings', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-caller', baseURL: svc.url, maxRetries: 0 });
    const content = `${QUESTION}\n<memory>\n${MEMORY}\n</memory>\nThanks!`;
    const { data, response } = await client.messages
      .create({ model: 'claude-x', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content }] })
      .withResponse();
    expect(data.content[0]?.type).toBe('text');
    const seen = fake.requests.at(-1);
    expect(seen?.provider).toBe('anthropic');
    // This SDK version sends the key as a bearer token; either way it reaches the upstream as sent.
    expect(`${seen?.headers['x-api-key'] ?? ''} ${seen?.headers.authorization ?? ''}`).toContain('sk-ant-caller');
    expect(seen?.system).toBe('Be brief.');
    const sent = seen?.messages[0]?.content ?? '';
    expect(sent.startsWith(`${QUESTION}\n<memory>\n`)).toBe(true);
    expect(sent.endsWith('\n</memory>\nThanks!')).toBe(true);
    expect(sent).not.toContain('basically');
    expect(sent).toContain('8 May 2022');
    expect(sent.length).toBeLessThan(content.length);
    expect(response.headers.get('x-compression')).toBe('compressed');
    expect(Number(response.headers.get('x-compression-saved-tokens'))).toBeGreaterThan(5);
  });

  it('OpenAI: compresses the messages a header names, leaves the others', async () => {
    const client = new OpenAI({ apiKey: 'sk-caller', baseURL: `${svc.url}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create(
        {
          model: 'gpt-x',
          messages: [
            { role: 'system', content: PROSE },
            { role: 'user', content: PROSE },
            { role: 'user', content: QUESTION },
          ],
        },
        { headers: { 'x-compress-messages': '1' } },
      )
      .withResponse();
    const seen = fake.requests.at(-1);
    expect(seen?.headers.authorization).toBe('Bearer sk-caller');
    expect(seen?.headers['x-compress-messages']).toBeUndefined();
    expect(seen?.system).toBe(PROSE);
    expect(seen?.messages[0]?.content).not.toBe(PROSE);
    expect(seen?.messages[0]?.content).toContain('Alice Johnson');
    expect(seen?.messages[1]?.content).toBe(QUESTION);
    expect(Number(response.headers.get('x-compression-saved-tokens'))).toBeGreaterThan(5);
  });

  it('Gemini: compresses a <context> block inside a part', async () => {
    const ai = new GoogleGenAI({ apiKey: 'g-caller', httpOptions: { baseUrl: svc.url } });
    const r = await ai.models.generateContent({
      model: 'gemini-x',
      contents: [{ role: 'user', parts: [{ text: `<context>${PROSE}</context>\n${QUESTION}` }] }],
    });
    expect(r.text).toContain('echo');
    const seen = fake.requests.at(-1);
    expect(seen?.provider).toBe('gemini');
    expect(seen?.headers['x-goog-api-key']).toBe('g-caller');
    const sent = seen?.messages[0]?.content ?? '';
    expect(sent.startsWith('<context>I just wanted')).toBe(true);
    expect(sent.endsWith(`</context>\n${QUESTION}`)).toBe(true);
    expect(Number(r.sdkHttpResponse?.headers?.['x-compression-saved-tokens'])).toBeGreaterThan(5);
  });
});

/** An OpenAI chat request through the proxy at `url`, as an app sends it. */
function chat(url: string, messages: { role: string; content: string }[], headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', ...headers },
    body: JSON.stringify({ model: 'x', messages }),
  });
}

describe('the proxy passes through', () => {
  it('streams the upstream answer byte for byte, as it comes', async () => {
    await withService(raw.url, async (url) => {
      const body = JSON.stringify({
        model: 'x',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: `<memory>${MEMORY}</memory>` }],
      });
      const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      expect(res.headers.get('x-compression')).toBe('compressed');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const got: Uint8Array[] = [];
      // The first half arrives while the upstream still holds the rest back: nothing is buffered.
      const first = await reader.read();
      got.push(first.value as Uint8Array);
      expect(Buffer.from(first.value as Uint8Array).toString()).toContain('message_start');
      raw.release();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got.push(value);
      }
      expect(Buffer.concat(got).equals(Buffer.concat(raw.streamed))).toBe(true);
    });
  });

  it('streams through the Anthropic SDK', async () => {
    await withService(raw.url, async (url) => {
      const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0 });
      const stream = await client.messages.create({
        model: 'x',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: `<memory>${MEMORY}</memory>` }],
      });
      setTimeout(() => raw.release(), 20);
      let text = '';
      for await (const ev of stream)
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
      expect(text).toBe('8 May 2022');
    });
  });

  it('forwards byte-identical when nothing is marked or the savings are under the floor', async () => {
    const body = Buffer.from(
      `{"model":"x",  "messages":[{"role":"user","content":"<memory>Hi Bob.</memory> ${QUESTION}"}]}`,
    );
    await withService(
      raw.url,
      async (url) => {
        const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body });
        expect(res.headers.get('x-compression')).toBe('below-floor');
        expect(res.headers.get('x-compression-saved-tokens')).toBe('0');
        expect(res.headers.get('x-upstream')).toBe('raw');
        expect(raw.seen.at(-1)?.body.equals(body)).toBe(true);
        const plain = Buffer.from('{"model":"x","messages":[{"role":"user","content":"no marks here"}]}');
        const r2 = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: plain });
        expect(r2.headers.get('x-compression')).toBe('none');
        expect(raw.seen.at(-1)?.body.equals(plain)).toBe(true);
        const big = Buffer.from(
          JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `<memory>${MEMORY}</memory>` }] }),
        );
        await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          body: big,
          headers: { 'x-compress-messages': 'zero' },
        });
        expect(raw.seen.at(-1)?.body.equals(big)).toBe(true);
        // A message the request has not is said as the caller's mistake (review: it was "nothing marked").
        const three = Buffer.from(
          JSON.stringify({
            model: 'x',
            messages: [
              { role: 'user', content: 'hello' },
              { role: 'assistant', content: 'hi' },
              { role: 'user', content: 'bye' },
            ],
          }),
        );
        const r3 = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          body: three,
          headers: { 'x-compress-messages': '5' },
        });
        expect(r3.headers.get('x-compression')).toBe('failed');
        expect(r3.headers.get('x-compression-reason')).toBe(
          'x-compress-messages: no message 5 with text in the request (with text: 0, 1, 2): forwarded as is',
        );
        expect(raw.seen.at(-1)?.body.equals(three)).toBe(true);
        // One of two named is there: it goes on, and the other is said (review: all or nothing).
        const r4 = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          body: three,
          headers: { 'x-compress-messages': 'system,0' },
        });
        expect(r4.headers.get('x-compression')).not.toBe('failed');
        expect(r4.headers.get('x-compression-reason')).toMatch(
          /^x-compress-messages: no system prompt with text in the request \(with text: 0, 1, 2\)/,
        );
      },
      { extra: { proxy: { minSavedTokens: 10_000 } } },
    );
  });

  it('changes only the compressed strings of a body: its whitespace, numbers and escapes go as they came (review)', async () => {
    // Review: a pretty-printed request went upstream on one line, its untouched escapes rewritten.
    const head = '{\n  "model" : "x",\n  "temperature": 1.0,\n  "max_tokens": 1e3,\n  "seed": 12345678901234567891,\n';
    const system = '  "system": "Caf\\u00e9 \\u2014 be brief.",\n';
    const messages = `  "messages": [\n    {\n      "role": "user",\n      "content": ${JSON.stringify(`<memory>${MEMORY}</memory>\n${QUESTION}`)}\n    },\n    { "role": "assistant", "content": "Ol\\u00e1" }\n  ]\n}\n`;
    const body = Buffer.from(`\uFEFF${head}${system}${messages}`, 'utf8');
    await withService(raw.url, async (url) => {
      const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body });
      expect(res.headers.get('x-compression')).toBe('compressed');
      const sent = raw.seen.at(-1);
      const out = sent?.body.toString('utf8') ?? '';
      const literal = /"content": ("(?:[^"\\]|\\.)*")\n/.exec(out)?.[1] ?? '""';
      const content = JSON.parse(literal) as string;
      expect(content.endsWith(`</memory>\n${QUESTION}`)).toBe(true);
      expect(content.length).toBeLessThan(`<memory>${MEMORY}</memory>\n${QUESTION}`.length);
      // Everything but the memory's string literal is the caller's bytes.
      const at = out.indexOf(literal);
      const original = body.toString('utf8');
      expect(out.slice(0, at)).toBe(original.slice(0, at));
      expect(out.slice(at + literal.length)).toBe(original.slice(original.indexOf('\n    },\n    { "role"')));
      expect(sent?.headers['content-length']).toBe(String(sent?.body.length));
    });
  });

  it("a marked part over the text limit goes as it came, the reason in the caller's terms (review)", async () => {
    await withService(
      raw.url,
      async (url) => {
        const body = JSON.stringify({
          model: 'x',
          max_tokens: 10,
          messages: [{ role: 'user', content: `<memory>${MEMORY.repeat(3)}</memory>` }],
        });
        const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body });
        expect(res.headers.get('x-compression')).toBe('failed');
        expect(res.headers.get('x-compression-reason')).toMatch(
          /^the marked block 1 of 1 is [\d,]+ characters, over limits\.maxTextChars \(600\): forwarded as is$/,
        );
        expect(raw.seen.at(-1)?.body.toString()).toBe(body);
      },
      { extra: { limits: { maxTextChars: 600 } } },
    );
  });

  it('fails open: a compression error or timeout forwards the original and says why', async () => {
    const body = Buffer.from(
      JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `<memory>${MEMORY}</memory>` }] }),
    );
    await withService(
      raw.url,
      async (url) => {
        const res = await fetch(`${url}/v1/messages`, { method: 'POST', body });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-compression')).toBe('failed');
        expect(res.headers.get('x-compression-reason')).toMatch(/^error: the model exploded/);
        expect(raw.seen.at(-1)?.body.equals(body)).toBe(true);
      },
      { compressMany: async () => Promise.reject(new Error('the model exploded')) },
    );
    await withService(
      raw.url,
      async (url) => {
        const t0 = performance.now();
        const res = await fetch(`${url}/v1beta/models/g:generateContent?key=abc`, {
          method: 'POST',
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `<context>${PROSE}</context>` }] }] }),
        });
        expect(performance.now() - t0).toBeLessThan(2000);
        expect(res.headers.get('x-compression')).toBe('failed');
        expect(res.headers.get('x-compression-reason')).toMatch(/^timeout/);
        expect(raw.seen.at(-1)?.path).toBe('/v1beta/models/g:generateContent?key=abc');
      },
      { compressMany: () => new Promise(() => undefined) },
    );
  });

  it('past its timeout a compression goes on, one at a time, and the next request with the memory gets its result (review)', async () => {
    // Review: a compression slower than the timeout was stopped and never cached, so each request
    // with the same memory paid the whole timeout again.
    const c = createCompressor(configFor(raw.url));
    let slow = 2;
    const finished: boolean[] = [];
    const wrapped: Compressor = {
      ...c,
      compressMany: async (texts, options) => {
        if (slow > 0) {
          slow--;
          await new Promise((r) => setTimeout(r, 700));
          const out = await c.compressMany(texts, options).then(
            (rs) => rs,
            () => null,
          );
          finished.push(out !== null && !options?.signal?.aborted);
          if (!out) throw new Error('stopped');
          return out;
        }
        return c.compressMany(texts, options);
      },
    };
    const s = await startCompressorService({ compressor: wrapped, port: 0, token: 't' });
    const ask = (memory: string) =>
      fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer k' },
        body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `<memory>${memory}</memory>` }] }),
      });
    try {
      // Two slow ones at once: the first goes on past the timeout, the second stops there.
      const [first, second] = await Promise.all([ask(MEMORY), ask(`${MEMORY}\nMelanie: One more line.`)]);
      const reasons = [first, second].map((r) => r.headers.get('x-compression-reason') ?? '');
      expect([first, second].map((r) => r.headers.get('x-compression'))).toEqual(['failed', 'failed']);
      expect(
        reasons.filter((r) => r.includes('it goes on, and the next request with this memory gets its result')),
      ).toHaveLength(1);
      expect(reasons.every((r) => r.startsWith('timeout: compression took over 300 ms'))).toBe(true);
      expect(Number(first.headers.get('x-compression-ms'))).toBeGreaterThanOrEqual(300);
      await new Promise((r) => setTimeout(r, 1500));
      // One finished its work, the other was stopped.
      expect(finished.sort()).toEqual([false, true]);
      const goesOn = reasons[0]?.includes('goes on') ? MEMORY : `${MEMORY}\nMelanie: One more line.`;
      const hits = c.cacheStats().hits;
      const again = await ask(goesOn);
      expect(again.headers.get('x-compression')).toBe('compressed');
      expect(c.cacheStats().hits).toBe(hits + 1);
      expect(Number(again.headers.get('x-compression-ms'))).toBeLessThan(300);
    } finally {
      await s.close();
      await c.dispose();
    }
  });

  it('stops a compression let go on past the timeout after limits.modelTimeoutMs more', async () => {
    // The model stage's limit grows with the text (limits.modelTimeoutMsPer1kTokens): a long named
    // message could hold the model for minutes, every request after it waiting. Before, a compression
    // left to finish went on until it ended, however long.
    const c = createCompressor(configFor(raw.url, { limits: { modelTimeoutMs: 200 } }));
    let stopped: unknown;
    const wrapped: Compressor = {
      ...c,
      compressMany: (_texts, options) =>
        new Promise((_, reject) => {
          options?.signal?.addEventListener(
            'abort',
            () => {
              stopped = options.signal?.reason;
              reject(options.signal?.reason);
            },
            { once: true },
          );
        }),
    };
    const s = await startCompressorService({ compressor: wrapped, port: 0, token: 't' });
    try {
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer k' },
        body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `<memory>${MEMORY}</memory>` }] }),
      });
      expect(res.headers.get('x-compression')).toBe('failed');
      expect(res.headers.get('x-compression-reason')).toContain(
        '(unless it takes over limits.modelTimeoutMs, 200 ms, more)',
      );
      for (let k = 0; k < 100 && stopped === undefined; k++) await new Promise((r) => setTimeout(r, 100));
      expect(String(stopped)).toContain('past limits.modelTimeoutMs (200 ms)');
    } finally {
      await s.close();
      await c.dispose();
    }
  });

  it("keeps the question's line of a named message that asks it (review: the question was compressed away)", async () => {
    // Review: "x-compress-messages: 0,2" naming the last user message sent its question as
    // "... Firmenessen": the message was pruned as any text, its question with it.
    const c = createCompressor(configFor(raw.url));
    const seen: { texts: string[]; protect: readonly (string | RegExp)[] | undefined }[] = [];
    const wrapped: Compressor = {
      ...c,
      compressMany: async (texts, options) => {
        seen.push({ texts: [...texts], protect: options?.protect });
        return c.compressMany(texts, options);
      },
    };
    const s = await startCompressorService({ compressor: wrapped, port: 0, token: 't' });
    const question = 'Basically, what should I actually serve at the company dinner on Friday?';
    try {
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'x-compress-messages': '0,2' },
        body: JSON.stringify({
          model: 'x',
          messages: [
            { role: 'user', content: PROSE },
            { role: 'assistant', content: 'Noted.' },
            { role: 'user', content: `${PROSE}\n${question}\nThanks!` },
          ],
        }),
      });
      expect(res.headers.get('x-compression')).toBe('compressed');
      const sent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
      // The question's line, not a sign-off after it (review: the last line was protected, whatever it was).
      expect(sent.messages[2]?.content).toContain(`\n${question}`);
      // The other named message is compressed as before, with nothing protected.
      expect(seen.find((call) => call.texts[0] === PROSE)?.protect).toBeUndefined();
      expect(seen.find((call) => call.texts[0]?.includes(question))?.protect).toEqual([question]);
      expect(sent.messages[0]?.content.length).toBeLessThan(PROSE.length);
    } finally {
      await s.close();
      await c.dispose();
    }
  });

  it('says which stage ran and why a model stage was not used, as the CLI does', async () => {
    await withService(
      raw.url,
      async (url) => {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: JSON.stringify({
            model: 'x',
            messages: [{ role: 'user', content: `<memory>\n${MEMORY}\n</memory>\n${QUESTION}` }],
          }),
        });
        expect(res.headers.get('x-compression')).toBe('compressed');
        // The pruner has no file: the rules' output went, and the reason says so.
        expect(res.headers.get('x-compression-reason')).toBe(
          'memory compressed without a query (proxy.query: off); stage: rules (pruner not used: no-model)',
        );
      },
      {
        extra: {
          pipelines: { nl: ['rules', 'pruner'], chat: ['rules', 'pruner'], code: ['rules'], mixed: ['rules'] },
          models: { pruner: { kind: 'prune', path: '/nonexistent/pruner.gguf' } },
          proxy: { minSavedTokens: 1 },
        },
      },
    );
  });

  it("counts the answers it forwards in /metrics: their statuses, and an upstream's 429 as an upstream error (review)", async () => {
    const metrics = async () =>
      (await (await fetch(`${svc.url}/metrics`, { headers: { authorization: 'Bearer t' } })).json()) as {
        byStatus: Record<string, number>;
        proxy: { upstreamErrors: number };
      };
    const before = await metrics();
    fake.fail('openai', { kind: 'status', status: 429, retryAfter: '1' });
    const res = await fetch(`${svc.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    const ok = await fetch(`${svc.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(ok.status).toBe(200);
    const after = await metrics();
    expect((after.byStatus['429'] ?? 0) - (before.byStatus['429'] ?? 0)).toBe(1);
    expect((after.byStatus['200'] ?? 0) - (before.byStatus['200'] ?? 0)).toBeGreaterThanOrEqual(2); // + the first /metrics
    expect(after.proxy.upstreamErrors - before.proxy.upstreamErrors).toBe(1);
  });

  it('answers 502 when the upstream is down, and 413 for a body over the limit', async () => {
    await withService(
      'http://127.0.0.1:1',
      async (url) => {
        const res = await fetch(`${url}/v1/messages`, { method: 'POST', body: '{"messages":[]}' });
        expect(res.status).toBe(502);
        const big = await fetch(`${url}/v1/messages`, { method: 'POST', body: 'x'.repeat(2000) });
        expect(big.status).toBe(413);
      },
      { extra: { proxy: { maxBodyBytes: 1000 } } },
    );
  });
});

/** The error `call` rejects with, checked to be a `type` (a class, read by its prototype: the SDKs' are generic). */
async function rejection<E>(call: Promise<unknown>, type: { prototype: E }): Promise<E> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe("the proxy's own errors reach each SDK in its provider's shape", () => {
  // Nothing listens on port 1: every forwarded call fails (502). The token is required (401 without
  // it) and bodies over 1,000 bytes are refused (413).
  const DEAD = 'http://127.0.0.1:1';
  const strict: InferenceConfigInput = { proxy: { requireToken: true, maxBodyBytes: 1000 } };
  const TOKEN = { 'x-compressor-token': 't' };
  const BIG = 'x'.repeat(2000);

  it("refuses the service's token sent as a provider's key on a chat route: never forwarded (review)", async () => {
    // Review: an app whose OPENAI_API_KEY was the service's token got a 200, the token sent upstream.
    await withService(DEAD, async (url) => {
      const openai = new OpenAI({ apiKey: 't', baseURL: `${url}/v1`, maxRetries: 0 });
      const refused = await rejection(
        openai.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
        OpenAI.AuthenticationError,
      );
      // A 401 of the proxy's, not the 502 of a dead upstream: nothing went out.
      expect(refused.status).toBe(401);
      expect(refused.message).toMatch(/the compressor service's token was sent as the provider's API key/);
      const anthropic = new Anthropic({ apiKey: 't', baseURL: url, maxRetries: 0 });
      const no = await rejection(
        anthropic.messages.create({ model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.AuthenticationError,
      );
      expect(no.type).toBe('authentication_error');
      // Gemini's REST API takes the key in the URL too.
      const keyed = await fetch(`${url}/v1beta/models/g:generateContent?key=t`, {
        method: 'POST',
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      expect(keyed.status).toBe(401);
      expect(((await keyed.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    });
  });

  it('Anthropic: authentication_error, request_too_large and api_error, with name and retryable kept', async () => {
    await withService(
      DEAD,
      async (url) => {
        const client = (headers: Record<string, string> = {}) =>
          new Anthropic({ apiKey: 'sk-ant-k', baseURL: url, maxRetries: 0, defaultHeaders: headers });
        const ask = (c: Anthropic, content = 'hi') =>
          c.messages.create({ model: 'x', max_tokens: 5, messages: [{ role: 'user', content }] });

        const noToken = await rejection(ask(client()), Anthropic.AuthenticationError);
        expect(noToken.status).toBe(401);
        expect(noToken.type).toBe('authentication_error');
        expect(noToken.error).toEqual({
          type: 'error',
          error: {
            type: 'authentication_error',
            message: 'missing or wrong x-compressor-token',
            name: 'AuthError',
            retryable: false,
          },
        });
        // A passed-through call is refused in the same shape.
        const counted = client().messages.countTokens({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
        expect((await rejection(counted, Anthropic.AuthenticationError)).type).toBe('authentication_error');

        const big = await rejection(ask(client(TOKEN), BIG), Anthropic.APIError);
        expect(big.status).toBe(413);
        expect(big.type).toBe('request_too_large');
        expect(big.apiMessage).toMatch(/over the limit of 1000/);
        expect(big.headers?.get('x-compression')).toBe('failed');

        const down = await rejection(ask(client(TOKEN)), Anthropic.InternalServerError);
        expect(down.status).toBe(502);
        expect(down.type).toBe('api_error');
        expect(down.apiMessage).toMatch(/^the upstream http:\/\/127\.0\.0\.1:1 failed: /);
        expect(down.error).toMatchObject({ error: { name: 'UpstreamError', retryable: true } });
        expect(down.headers?.get('x-compression')).toBe('none');
      },
      { extra: strict },
    );
  });

  it('OpenAI: invalid_request_error and server_error with a code, with name and retryable kept', async () => {
    await withService(
      DEAD,
      async (url) => {
        const client = (headers: Record<string, string> = {}) =>
          new OpenAI({ apiKey: 'sk-k', baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: headers });
        const ask = (c: OpenAI, content = 'hi') =>
          c.chat.completions.create({ model: 'x', messages: [{ role: 'user', content }] });

        const noToken = await rejection(ask(client()), OpenAI.AuthenticationError);
        expect(noToken.status).toBe(401);
        expect(noToken.message).toBe('401 missing or wrong x-compressor-token');
        expect([noToken.type, noToken.code, noToken.param]).toEqual([
          'invalid_request_error',
          'invalid_compressor_token',
          null,
        ]);
        expect(noToken.error).toMatchObject({ name: 'AuthError', retryable: false });
        const models = await rejection(client().models.list(), OpenAI.AuthenticationError);
        expect(models.code).toBe('invalid_compressor_token');

        const big = await rejection(ask(client(TOKEN), BIG), OpenAI.APIError);
        expect(big.status).toBe(413);
        expect([big.type, big.code]).toEqual(['invalid_request_error', 'request_too_large']);
        expect(big.message).toMatch(/^413 the body is .*over the limit of 1000/);
        expect(big.headers?.get('x-compression')).toBe('failed');

        const down = await rejection(ask(client(TOKEN)), OpenAI.InternalServerError);
        expect(down.status).toBe(502);
        expect([down.type, down.code]).toEqual(['server_error', 'upstream_unreachable']);
        expect(down.message).toMatch(/^502 the upstream http:\/\/127\.0\.0\.1:1 failed: /);
        expect(down.error).toMatchObject({ name: 'UpstreamError', retryable: true });
      },
      { extra: strict },
    );
  });

  it('Gemini: google.rpc statuses with the HTTP code, with name and retryable kept', async () => {
    await withService(
      DEAD,
      async (url) => {
        const ai = (headers: Record<string, string> = {}) =>
          new GoogleGenAI({ apiKey: 'g-k', httpOptions: { baseUrl: url, headers, retryOptions: { attempts: 1 } } });
        const ask = (g: GoogleGenAI, text = 'hi') => g.models.generateContent({ model: 'g', contents: text });
        // The SDK's message is the body as it came.
        const body = (e: ApiError) => (JSON.parse(e.message) as { error: Record<string, unknown> }).error;

        const noToken = await rejection(ask(ai()), ApiError);
        expect(noToken.status).toBe(401);
        expect(body(noToken)).toEqual({
          code: 401,
          message: 'missing or wrong x-compressor-token',
          status: 'UNAUTHENTICATED',
          name: 'AuthError',
          retryable: false,
        });
        const counted = await rejection(ai().models.countTokens({ model: 'g', contents: 'hi' }), ApiError);
        expect(body(counted)).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });

        const big = await rejection(ask(ai(TOKEN), BIG), ApiError);
        expect(big.status).toBe(413);
        expect(body(big)).toMatchObject({ code: 413, status: 'INVALID_ARGUMENT' });
        expect(body(big).message).toMatch(/over the limit of 1000/);

        const down = await rejection(ask(ai(TOKEN)), ApiError);
        expect(down.status).toBe(502);
        expect(body(down)).toMatchObject({ code: 502, status: 'UNAVAILABLE', name: 'UpstreamError', retryable: true });
        expect(body(down).message).toMatch(/^the upstream http:\/\/127\.0\.0\.1:1 failed: /);
      },
      { extra: strict },
    );
  });
});

describe("the rest of a provider's API passes through untouched", () => {
  it('count tokens through the Anthropic and Gemini SDKs, model lists and embeddings by their headers', async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-caller', baseURL: svc.url, maxRetries: 0 });
    const counted = await anthropic.messages.countTokens({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(7);
    const gemini = new GoogleGenAI({ apiKey: 'g-caller', httpOptions: { baseUrl: svc.url } });
    const g = await gemini.models.countTokens({ model: 'gemini-x', contents: 'How many tokens is this?' });
    expect(g.totalTokens).toBeGreaterThan(0);

    await withService(raw.url, async (url) => {
      raw.seen.length = 0;
      // The same path is Anthropic's, OpenAI's and the service's own model list: the caller's headers decide.
      const a = await fetch(`${url}/v1/models`, {
        headers: { 'x-api-key': 'sk-ant-k', 'anthropic-version': '2023-06-01' },
      });
      expect(a.status).toBe(200);
      expect(a.headers.get('x-compression')).toBe('none');
      expect(a.headers.get('x-compression-reason')).toContain('anthropic');
      const o = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-openai' } });
      expect(o.headers.get('x-compression-reason')).toContain('openai');
      const body = JSON.stringify({ model: 'e', input: 'hello' });
      const e = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-openai', 'content-type': 'application/json' },
        body,
      });
      expect(await e.json()).toEqual({ ok: true });
      expect(raw.seen.map((s) => s.path)).toEqual(['/v1/models', '/v1/models', '/v1/embeddings']);
      expect(raw.seen[0]?.headers['x-api-key']).toBe('sk-ant-k');
      expect(raw.seen[1]?.headers.authorization).toBe('Bearer sk-openai');
      expect(raw.seen[2]?.body.toString()).toBe(body);
      // With the service's own token it is the service's list, not a provider's.
      const own = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer t' } });
      expect(((await own.json()) as { pipelines: unknown }).pipelines).toBeDefined();
      expect(raw.seen).toHaveLength(3);
    });
  });

  it("never hands the service's token or a call meant for the service to a provider (review)", async () => {
    await withService(raw.url, async (url) => {
      raw.seen.length = 0;
      const own = { authorization: 'Bearer t', 'content-type': 'application/json' };
      // "/v1/compress/" typed with a slash: once forwarded to OpenAI with the token and the text.
      const slash = await fetch(`${url}/v1/compress/`, { method: 'POST', headers: own, body: '{"text":"secret"}' });
      expect(slash.status).toBe(404);
      expect(((await slash.json()) as { error: { message: string } }).error.message).toContain(
        'no route POST /v1/compress/',
      );
      for (const path of ['/v1/models/', '/v1/models/claude-x', '/v1/embeddings'])
        expect((await fetch(`${url}${path}`, { headers: own })).status, path).toBe(404);
      expect(
        (await fetch(`${url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': 't' }, body: '{}' }))
          .status,
      ).toBe(404);
      // A wrong service token is not an OpenAI key: 401, not forwarded.
      expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect(raw.seen).toHaveLength(0);
      // OpenAI's SDK (its user agent) or an sk- key is a provider's call.
      const sdk = await fetch(`${url}/v1/models`, {
        headers: { authorization: 'Bearer proj-key', 'user-agent': 'OpenAI/JS 5.0.0' },
      });
      expect(sdk.headers.get('x-compression')).toBe('none');
      expect(raw.seen.map((r) => r.path)).toEqual(['/v1/models']);
    });
  });

  it("streams a pass-through body as it comes, past the compressed routes' body limit, and adds no length to a GET (review)", async () => {
    await withService(
      raw.url,
      async (url) => {
        raw.seen.length = 0;
        const big = Buffer.alloc(3 * 2 ** 20, 'x');
        // A chunked upload (no content-length) of 3 MB, three times proxy.maxBodyBytes.
        const chunks = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 3; i++) controller.enqueue(big.subarray(i * 2 ** 20, (i + 1) * 2 ** 20));
            controller.close();
          },
        });
        const up = await fetch(`${url}/v1/files`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-k' },
          body: chunks,
          duplex: 'half',
        } as RequestInit);
        expect(up.status).toBe(200);
        expect(raw.seen.at(-1)?.body.equals(big)).toBe(true);
        const get = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-k' } });
        expect(get.status).toBe(200);
        expect(raw.seen.at(-1)?.headers['content-length']).toBeUndefined();
        // The compressed routes read the body to compress it: their limit stands.
        const chat = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-k' },
          body: big,
        });
        expect(chat.status).toBe(413);
        expect(chat.headers.get('x-compression')).toBe('failed');
        expect(chat.headers.get('x-compression-reason')).toMatch(/maxBodyBytes|over|large|bytes/i);
      },
      { extra: { proxy: { maxBodyBytes: 2 ** 20 } } },
    );
  });

  it('needs the x-compressor-token when the proxy requires one', async () => {
    await withService(
      raw.url,
      async (url) => {
        raw.seen.length = 0;
        const no = await fetch(`${url}/v1/embeddings`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk' },
          body: '{}',
        });
        expect(no.status).toBe(401);
        const yes = await fetch(`${url}/v1/embeddings`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk', 'x-compressor-token': 't' },
          body: '{}',
        });
        expect(yes.status).toBe(200);
        expect(raw.seen).toHaveLength(1);
        expect(raw.seen[0]?.headers['x-compressor-token']).toBeUndefined();
      },
      { extra: { proxy: { requireToken: true } } },
    );
  });
});

describe('the proxy selects memory for the last user message', () => {
  // A memory long enough that selection has something to leave out: the lake sunrise turn sits
  // among sessions about other things; the question names it.
  const sessions = [
    'Session 1 (1:56 pm on 8 May, 2023): Caroline and Melanie',
    'Caroline: I went to the LGBTQ support group yesterday and the stories were powerful.',
    'Melanie: That is wonderful, I am so glad you found a place like that.',
    'Caroline: I am thinking about a career in counseling for people like me.',
    '',
    'Session 2 (7:55 pm on 25 May, 2023): Caroline and Melanie',
    'Melanie: I painted a lake sunrise last week, it is my favourite painting.',
    'Caroline: It looks so peaceful, the colours of the water are lovely.',
    'Melanie: We also took the kids camping in the mountains over the weekend.',
    'Caroline: My friends threw me a birthday party with a chocolate cake.',
    'Melanie: The kids keep asking when we can go to the beach again.',
  ].join('\n');

  it('OpenAI: the block keeps the relevant turn (telegraphic, query.style) under its dated header; x-compression-query: off turns it off', async () => {
    await withService(
      raw.url,
      async (url) => {
        const send = (headers: Record<string, string>) =>
          fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: 'Bearer k', ...headers },
            body: JSON.stringify({
              model: 'x',
              messages: [
                { role: 'system', content: 'Answer from memory.' },
                { role: 'user', content: `<memory>${sessions}</memory>\nWhen did Melanie paint the lake sunrise?` },
              ],
            }),
          });
        const res = await send({});
        expect(res.headers.get('x-compression')).toBe('compressed');
        expect(res.headers.get('x-compression-reason')).toContain('last user message');
        expect(res.headers.get('x-compression-reason')).toContain('stage: select');
        const sent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
        const block = /<memory>([\s\S]*)<\/memory>/.exec(sent.messages[1]?.content ?? '')?.[1] ?? '';
        expect(block).toContain(
          'Session 2 (7:55 pm 25 May 2023):\nMelanie: painted lake sunrise last week favourite painting',
        );
        expect(block).not.toContain('birthday party');
        expect(sent.messages[1]?.content.endsWith('When did Melanie paint the lake sunrise?')).toBe(true);

        const off = await send({ 'x-compression-query': 'off' });
        expect(off.headers.get('x-compression-reason') ?? '').not.toContain('last user message');
        // Review: the reason said only which stage ran, nothing of the query switched off.
        expect(off.headers.get('x-compression-reason') ?? '').toContain(
          'memory compressed without a query (x-compression-query: off)',
        );
        const sentOff = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
        expect(raw.seen.at(-1)?.headers['x-compression-query']).toBeUndefined();
        // Without the query the rules run: every turn is still there.
        expect(sentOff.messages[1]?.content).toContain('birthday party');

        // Review: fields the proxy did not touch lost what JSON.parse cannot hold (a seed past 2^53)
        // and their escapes; now only the block's string is rewritten.
        const extraBody = JSON.stringify({
          model: 'x',
          messages: [
            { role: 'user', content: `<memory>${sessions}</memory>\nWhen did Melanie paint the lake sunrise?` },
          ],
        }).replace(/^\{/, '{"seed": 12345678901234567891, "user": "caf\\u00e9", ');
        const exact = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: extraBody,
        });
        expect(exact.headers.get('x-compression')).toBe('compressed');
        const out = raw.seen.at(-1)?.body.toString() ?? '';
        expect(out).toContain('"seed": 12345678901234567891');
        expect(out).toContain('"user": "caf\\u00e9"');
        expect(out).not.toContain('birthday party');

        // Review: no request could turn compression off; `x-compression: off` forwards it as it came,
        // and the header itself stays with the proxy.
        const bytes = raw.seen.length;
        const none = await send({ 'x-compression': 'off' });
        expect(none.headers.get('x-compression')).toBe('none');
        expect(none.headers.get('x-compression-reason')).toBe('off for this request (x-compression: off)');
        expect(raw.seen).toHaveLength(bytes + 1);
        expect(raw.seen.at(-1)?.body.toString()).toContain('birthday party');
        expect(raw.seen.at(-1)?.headers['x-compression']).toBeUndefined();
        expect((await send({ 'x-compression': 'of' })).headers.get('x-compression-reason')).toBe(
          'x-compression: "of" is not off or on: forwarded as is',
        );

        // A value that is neither off nor on is refused, not read as "on": the original goes, the reason names it.
        const seen = raw.seen.length;
        const typo = await send({ 'x-compression-query': 'maybe' });
        expect(typo.headers.get('x-compression')).toBe('failed');
        expect(typo.headers.get('x-compression-reason')).toContain('"maybe" is not off, on or last-user');
        expect(raw.seen).toHaveLength(seen + 1);
        expect(raw.seen.at(-1)?.body.toString()).toContain('birthday party');
      },
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { ratio: 0.3, minTokens: 0, embeddingCache: 'off' },
        },
      },
    );
  });

  it('x-compression-query: on selects where the config has it off; a memory within its budget is kept whole, and the reason says so', async () => {
    await withService(
      raw.url,
      async (url) => {
        const send = (memory: string, headers: Record<string, string>) =>
          chat(
            url,
            [{ role: 'user', content: `<memory>${memory}</memory>\nWhen did Melanie paint the lake sunrise?` }],
            headers,
          );
        const on = await send(sessions, { 'x-compression-query': 'On' });
        expect(on.headers.get('x-compression-reason')).toContain('memory selected for the last user message');
        expect(raw.seen.at(-1)?.body.toString()).not.toContain('birthday party');
      },
      {
        extra: {
          proxy: { query: 'off', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { ratio: 0.3, minTokens: 0, embeddingCache: 'off' },
        },
      },
    );
    await withService(
      raw.url,
      async (url) => {
        const res = await chat(url, [
          { role: 'user', content: `<memory>${MEMORY}</memory>\nWhen did Melanie paint the lake sunrise?` },
        ]);
        const reason = res.headers.get('x-compression-reason') ?? '';
        expect(reason).toContain('memory kept whole: it fits the budget');
        expect(reason).not.toContain('selected for');
      },
      // Found by use: a memory that fit whole was reported "selected for the last user message".
      // Review: under the default ratio (0.1) a short memory was cut to a tenth, a profile to one
      // fact; the default budget's floor (query.minTokens, 1,000) keeps it whole.
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { embeddingCache: 'off' },
        },
      },
    );
  });

  it("reads a Gemini content with no role as the user's, a block tagged in capitals, and one in a function's response (review)", async () => {
    // Review: Gemini's REST API takes a single-turn content without a role; its question was not
    // read, and the memory went whole. `<MEMORY>` was "nothing marked".
    await withService(
      raw.url,
      async (url) => {
        const res = await fetch(`${url}/v1beta/models/g:generateContent`, {
          method: 'POST',
          headers: { 'x-goog-api-key': 'k' },
          body: JSON.stringify({
            contents: [{ parts: [{ text: `<MEMORY>${sessions}</MEMORY>\nWhen did Melanie paint the lake sunrise?` }] }],
          }),
        });
        expect(res.headers.get('x-compression')).toBe('compressed');
        expect(res.headers.get('x-compression-reason')).toContain('memory selected for the last user message');
        const sent = raw.seen.at(-1)?.body.toString() ?? '';
        expect(sent).toContain('<MEMORY>');
        expect(sent).toContain('</MEMORY>');
        expect(sent).not.toContain('birthday party');
        // A memory tool's answer in a function response is found as Anthropic's tool_result is.
        const tool = await fetch(`${url}/v1beta/models/g:generateContent`, {
          method: 'POST',
          headers: { 'x-goog-api-key': 'k' },
          body: JSON.stringify({
            contents: [
              { role: 'user', parts: [{ text: 'When did Melanie paint the lake sunrise?' }] },
              { role: 'model', parts: [{ functionCall: { name: 'recall', args: {} } }] },
              {
                role: 'user',
                parts: [
                  { functionResponse: { name: 'recall', response: { content: `<memory>${sessions}</memory>` } } },
                ],
              },
            ],
          }),
        });
        expect(tool.headers.get('x-compression')).toBe('compressed');
        const toolSent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as {
          contents: { parts: { functionResponse?: { response: { content: string } } }[] }[];
        };
        const answer = toolSent.contents[2]?.parts[0]?.functionResponse?.response.content ?? '';
        expect(answer.startsWith('<memory>')).toBe(true);
        expect(answer).not.toContain('birthday party');
        // A React context provider in pasted code is no marked block (review: read as one).
        const jsx = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: JSON.stringify({
            model: 'x',
            messages: [
              {
                role: 'user',
                content: `Why does this re-render?\n<Context value={theme}>\n  <Toolbar />\n  <Page user={user} />\n</Context>\n${sessions}`,
              },
            ],
          }),
        });
        expect(jsx.headers.get('x-compression')).toBe('none');
      },
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { ratio: 0.3, minTokens: 0, embeddingCache: 'off' },
        },
      },
    );
  });

  it('a question after long pasted notes is the query, and a follow-up with no word to select by takes the question before it', async () => {
    // Found by use: the first 4,000 characters of a 24k-character message were the query (the
    // question at its end thrown away), and "Ok?" cut the memory by 90 % to filler turns.
    await withService(
      raw.url,
      async (url) => {
        const send = async (messages: { role: string; content: string }[]) => {
          const res = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: 'Bearer k' },
            body: JSON.stringify({ model: 'x', messages }),
          });
          const sent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
          const block = /<memory>([\s\S]*)<\/memory>/.exec(sent.messages[0]?.content ?? '')?.[1] ?? '';
          return {
            outcome: res.headers.get('x-compression'),
            reason: res.headers.get('x-compression-reason') ?? '',
            block,
          };
        };
        const notes = 'Our team reviewed the quarterly budget and the hiring plan in detail. '.repeat(300);
        const question = 'Given the above notes, when did Melanie paint the lake sunrise?';
        const long = await send([{ role: 'user', content: `<memory>${sessions}</memory>\n${notes}\n${question}` }]);
        expect(long.outcome).toBe('compressed');
        expect(long.reason).toMatch(
          /^memory selected for the end of the last user message \(its last 3,9\d\d of 21,\d{3} characters\); stage: select/,
        );
        expect(long.block).toContain('Melanie: painted lake sunrise last week');

        const followUp = await send([
          { role: 'user', content: `<memory>${sessions}</memory>\nWhere did Melanie take the kids camping?` },
          { role: 'assistant', content: 'To the mountains.' },
          { role: 'user', content: 'Ok?' },
        ]);
        expect(followUp.outcome).toBe('compressed');
        expect(followUp.reason).toMatch(
          /^memory selected for an earlier user message \(the last has no word to select by, or no text\) \(40 characters\); stage: select/,
        );
        expect(followUp.block).toContain('camping mountains');
        expect(followUp.block).not.toContain('support group');

        const none = await send([{ role: 'user', content: `<memory>${sessions}</memory>\nWhy?` }]);
        // Without a query the rules run, and on this memory save too little to be worth it: sent as it was.
        expect(none.outcome).toBe('below-floor');
        expect(none.reason).toMatch(
          /^would save 0 tokens, under the floor of 1; memory compressed without a query \(no user message has a word to select by\); /,
        );
        expect(none.block).toBe(sessions);
      },
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { ratio: 0.3, minTokens: 0, embeddingCache: 'off' },
        },
      },
    );
  });

  it("a memory too long to embed within the proxy's timeout is selected by BM25 at once, and with its vectors once its first pass is done", async () => {
    // 600 turns: seconds of MiniLM, over the 2 s timeout. Before, the first requests failed open
    // (the whole memory forwarded) until some request found every vector cached.
    const memory = [
      'Session 1 (1:00 pm on 8 May, 2023): Ann and Bob',
      ...Array.from(
        { length: 600 },
        (_, i) => `${i % 2 ? 'Bob' : 'Ann'}: On day ${i} we shipped parcel ${i * 7} with ${i % 17} blue lamps.`,
      ),
    ].join('\n');
    const embedder = await ensureMiniLM();
    await withService(
      raw.url,
      async (url) => {
        const send = () =>
          fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: 'Bearer k' },
            body: JSON.stringify({
              model: 'x',
              messages: [{ role: 'user', content: `<memory>${memory}</memory>\nWhat was in parcel 700?` }],
            }),
          });
        const first = await send();
        expect(first.headers.get('x-compression')).toBe('compressed');
        const reason = first.headers.get('x-compression-reason') ?? '';
        expect(reason).toContain(
          "stage: select; ranked by BM25 alone (proxy.denseWithinMs): the memory's first embedding pass goes on for the next request",
        );
        const sent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
        expect(sent.messages[0]?.content).toContain('parcel 700');
        // A selection (ratio 0.1), not the memory forwarded whole.
        expect(sent.messages[0]?.content.split('\n').length).toBeLessThan(100);
        // The pass goes on between requests: a later one ranks with the vectors.
        let later = reason;
        for (let k = 0; k < 240 && later.includes('BM25 alone'); k++) {
          await new Promise((done) => setTimeout(done, 500));
          const res = await send();
          expect(res.headers.get('x-compression')).toBe('compressed');
          later = res.headers.get('x-compression-reason') ?? '';
        }
        expect(later).toBe('memory selected for the last user message (23 characters); stage: select');
      },
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 2_000 },
          query: { ratio: 0.1, minTokens: 0, embeddingCache: 'off', embedder },
        },
      },
    );
  }, 300_000);

  it("OpenAI: a memory block holding JSON keeps the records the question needs, as JSON the app's parser reads", async () => {
    const memory = JSON.stringify(
      {
        profile: { name: 'Dana Okafor', city: 'Lisbon', allergies: ['peanuts', 'shellfish'] },
        memories: [
          'Dana booked flights to Lisbon for the half marathon on 12 October.',
          'Dana does not drink coffee after 2 pm because it keeps her awake.',
          "Dana's sister Ife is visiting from Lagos in April.",
          'Dana prefers window seats and always travels with a carry-on only.',
        ],
      },
      null,
      2,
    );
    await withService(
      raw.url,
      async (url) => {
        const res = await chat(url, [
          { role: 'system', content: `Answer from memory.\n<memory>\n${memory}\n</memory>` },
          { role: 'user', content: 'Can I offer Dana an espresso after dinner?' },
        ]);
        expect(res.headers.get('x-compression')).toBe('compressed');
        expect(res.headers.get('x-compression-reason')).toContain('stage: select');
        const sent = JSON.parse(raw.seen.at(-1)?.body.toString() ?? '{}') as { messages: { content: string }[] };
        const block = /<memory>([\s\S]*)<\/memory>/.exec(sent.messages[0]?.content ?? '')?.[1] ?? '';
        const kept = JSON.parse(block) as { memories?: string[] };
        // Telegraphic by default (query.style), as kept turns are: the small words go, the fact stays.
        expect(kept.memories?.some((m) => /Dana (?:does )?not drink coffee after 2 pm/.test(m))).toBe(true);
        expect(block).not.toContain('window seats');
      },
      {
        extra: {
          proxy: { query: 'last-user', minSavedTokens: 1, timeoutMs: 60_000 },
          query: { ratio: 0.3, minTokens: 0, embeddingCache: 'off' },
        },
      },
    );
  });
});
