import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LlamaContextSequence } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../errors/index.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { type Compressor, type CompressResult, createCompressor } from './compress.ts';
import { type InferenceConfigInput, parseInferenceConfig } from './config.ts';
import { startCompressorService } from './service.ts';

/**
 * A caller that gives up stops its compression: calls queued for the pruner's one context leave
 * the queue when their signal aborts and the model never runs them; one of two identical calls
 * sharing a run can leave without stopping the other; the proxy's timeout and a client that hangs
 * up stop the compression they abandoned; the generator's queued and running calls cancel too.
 * SmolLM2 on one thread. What the model ran is counted at the model itself: the tokens evaluated
 * by llama.cpp, against the tokens each wanted call reports.
 */

const path = ensureSmolLM2();

// The README's sample sessions, numbered apart so no two share a cache entry.
const sessions = readFileSync(new URL('../../samples/memory.txt', import.meta.url), 'utf8').split('\n\n');
const texts = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) =>
    (sessions[i % sessions.length] as string).replace(/^Session \d+/, `Session ${i + 1}${tag}`),
  );
/** Long enough to keep the model busy well past the proxy's timeout. */
const long = (tag: string) => texts(9, tag).join('\n\n');

const opts = { ratio: 0.5, domain: 'chat' } as const;

function config(extra: InferenceConfigInput = {}): InferenceConfigInput {
  return {
    models: { pruner: { kind: 'prune', path, threads: 1, contextSize: 512 } },
    pipelines: { nl: ['rules', 'pruner'], chat: ['rules', 'pruner'], code: ['rules'], mixed: ['rules', 'pruner'] },
    limits: { modelTimeoutMs: 600_000 },
    ...extra,
  };
}

async function withCompressor(extra: InferenceConfigInput, use: (c: Compressor) => Promise<void>): Promise<void> {
  const c = createCompressor(parseInferenceConfig(config(extra)));
  try {
    // Loaded before the clock matters: the first call loads the model.
    await c.compress(texts(1, ' (load)')[0] as string, opts);
    await use(c);
  } finally {
    await c.dispose();
  }
}

// Every forward pass of the pruner goes through controlledEvaluate: count its tokens.
let evaluated = 0;
let onEvaluate: (() => void) | undefined;
const original = LlamaContextSequence.prototype.controlledEvaluate;
beforeAll(() => {
  vi.spyOn(LlamaContextSequence.prototype, 'controlledEvaluate').mockImplementation(function (
    this: LlamaContextSequence,
    ...args: Parameters<LlamaContextSequence['controlledEvaluate']>
  ) {
    evaluated += args[0].length;
    onEvaluate?.();
    return original.apply(this, args);
  });
});
afterAll(() => vi.restoreAllMocks());

/** Resolves when the model next evaluates (a call got the model). */
function modelStarted(): Promise<void> {
  return new Promise((resolve) => {
    onEvaluate = () => {
      onEvaluate = undefined;
      resolve();
    };
  });
}

const prunerTokens = (r: CompressResult) => r.timings.find((s) => s.stage === 'pruner')?.modelTokens ?? 0;

type Settled = { ok: true; r: CompressResult; at: number } | { ok: false; e: unknown; at: number };
const settle = (p: Promise<CompressResult>): Promise<Settled> =>
  p.then(
    (r) => ({ ok: true, r, at: performance.now() }),
    (e: unknown) => ({ ok: false, e, at: performance.now() }),
  );

describe('a caller that gives up stops its compression', () => {
  it('calls queued for the pruner reject at once as cancelled when aborted, and the model runs only the calls still wanted', async () => {
    await withCompressor({}, async (c) => {
      const all = texts(8, ' (queued)');
      const controllers = all.map(() => new AbortController());
      evaluated = 0;
      const started = modelStarted();
      const calls = all.map((t, i) => settle(c.compress(t, { ...opts, signal: controllers[i]?.signal })));
      await started;
      const wanted = new Set([0, 7]);
      const t0 = performance.now();
      controllers.forEach((ctl, i) => {
        if (!wanted.has(i)) ctl.abort();
      });
      const out = await Promise.all(calls);
      let want = 0;
      for (const [i, s] of out.entries()) {
        if (wanted.has(i)) {
          if (!s.ok) throw s.e;
          expect(s.r.strategy).toBe('rules+pruner');
          expect(s.r.fallback).toBeNull();
          want += prunerTokens(s.r);
          continue;
        }
        // Before: every call ran, queued behind the others, and resolved.
        expect(s.ok, `call ${i}`).toBe(false);
        if (s.ok) continue;
        expect(s.e).toBeInstanceOf(CancelledError);
        expect((s.e as Error).message).toMatch(/cancelled/);
        expect(s.at - t0).toBeLessThan(250);
      }
      // The model evaluated the two wanted calls, nothing for the six that left the queue.
      expect(want).toBeGreaterThan(0);
      expect(evaluated).toBe(want);
      // The load call and the two wanted: the cancelled calls are not cached.
      expect(c.cacheStats().entries).toBe(3);
    });
  }, 600_000);

  it('two identical calls share one run: one aborting leaves the other its result; when both abort nothing is cached', async () => {
    await withCompressor({}, async (c) => {
      const text = texts(1, ' (shared)')[0] as string;
      const a = new AbortController();
      const b = new AbortController();
      evaluated = 0;
      const started = modelStarted();
      const pa = settle(c.compress(text, { ...opts, signal: a.signal }));
      const pb = settle(c.compress(text, { ...opts, signal: b.signal }));
      await started;
      a.abort();
      const [ra, rb] = await Promise.all([pa, pb]);
      expect(ra.ok).toBe(false);
      if (!ra.ok) expect(ra.e).toBeInstanceOf(CancelledError);
      if (!rb.ok) throw rb.e;
      expect(rb.r.strategy).toBe('rules+pruner');
      expect(rb.r.fallback).toBeNull();
      // One run for both, not stopped by the one that left: the model evaluated the text once (a
      // joined call reports the shared run as a cache hit; the tokens of one run do not depend on
      // the ratio, so another ratio, a fresh run, counts them).
      const shared = evaluated;
      const alone = await c.compress(text, { ...opts, ratio: 0.4 });
      expect(alone.cached).toBe(false);
      expect(shared).toBe(prunerTokens(alone));

      // Both leave: the run stops, is not cached, and the next identical call runs afresh.
      const other = texts(2, ' (both leave)')[1] as string;
      const x = new AbortController();
      const y = new AbortController();
      const before = c.cacheStats().entries;
      const started2 = modelStarted();
      const px = settle(c.compress(other, { ...opts, signal: x.signal }));
      const py = settle(c.compress(other, { ...opts, signal: y.signal }));
      await started2;
      x.abort();
      y.abort(new Error('the client left'));
      const [rx, ry] = await Promise.all([px, py]);
      expect(rx.ok || ry.ok).toBe(false);
      if (!ry.ok) expect((ry.e as Error).message).toBe('compression cancelled by the caller: the client left');
      expect(c.cacheStats().entries).toBe(before);
      const again = await c.compress(other, opts);
      expect(again.cached).toBe(false);
      expect(again.strategy).toBe('rules+pruner');
    });
  }, 600_000);

  it('rejects a signal that is not an AbortSignal, and an aborted one before any work', async () => {
    await withCompressor({}, async (c) => {
      const text = texts(1, ' (checks)')[0] as string;
      await expect(c.compress(text, { signal: 'soon' as unknown as AbortSignal })).rejects.toThrow(
        /field "signal": must be an AbortSignal/,
      );
      evaluated = 0;
      await expect(c.compressMany([text, `${text} 2`], { ...opts, signal: AbortSignal.abort() })).rejects.toThrow(
        CancelledError,
      );
      expect(evaluated).toBe(0);
    });
  }, 600_000);
});

describe('the generator', () => {
  const generator: InferenceConfigInput = {
    models: { smol: { kind: 'generate', path, contextSize: 1024, sequences: 1, maxOutputTokens: 24, threads: 1 } },
    pipelines: { nl: ['rules', 'smol'], chat: ['rules', 'smol'], code: ['rules'], mixed: ['rules', 'smol'] },
  };

  it('a call waiting for its one sequence, or generating, rejects as cancelled when aborted: never a timeout', async () => {
    const c = createCompressor(parseInferenceConfig({ ...generator, limits: { modelTimeoutMs: 600_000 } }));
    try {
      await c.compress(texts(1, ' (gen load)')[0] as string, opts);
      const [t0, t1, t2] = texts(3, ' (gen)') as [string, string, string];
      const waiting = new AbortController();
      const first = c.compress(t0, opts);
      const queued = settle(c.compress(t1, { ...opts, signal: waiting.signal }));
      const last = c.compress(t2, opts);
      waiting.abort();
      const q = await queued;
      // Before: it waited for the sequence, generated, and resolved.
      expect(q.ok).toBe(false);
      if (!q.ok) expect(q.e).toBeInstanceOf(CancelledError);
      for (const r of await Promise.all([first, last]))
        expect(r.timings.find((s) => s.stage === 'smol')?.modelTokens).toBeGreaterThan(0);

      // Running (its prompt or its tokens): the caller is told at once, cancelled; the model stops
      // at its next token (the abort is the one the model timeout uses).
      const running = new AbortController();
      const p = settle(c.compress(texts(4, ' (gen running)')[3] as string, { ...opts, signal: running.signal }));
      setTimeout(() => running.abort(), 300);
      const r = await p;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.e).toBeInstanceOf(CancelledError);
    } finally {
      await c.dispose();
    }
  }, 600_000);
});

/** An upstream that records the bodies it gets and answers {ok: true}. */
async function startUpstream(): Promise<{ url: string; bodies: Buffer[]; close(): Promise<void> }> {
  const bodies: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('over HTTP on loopback, with the model busy', () => {
  it('the proxy forwards the original when its timeout fires, and the compression it abandoned never runs', async () => {
    const upstream = await startUpstream();
    const extra: InferenceConfigInput = {
      proxy: {
        upstreams: { anthropic: upstream.url, openai: upstream.url, gemini: upstream.url },
        timeoutMs: 300,
        minSavedTokens: 1,
        query: 'off',
      },
    };
    try {
      await withCompressor(extra, async (c) => {
        const svc = await startCompressorService({ compressor: c, port: 0, token: 't' });
        try {
          evaluated = 0;
          const started = modelStarted();
          // Another caller holds the model for longer than the proxy waits.
          const busy = c.compress(long(' (busy)'), opts);
          await started;
          const memory = texts(2, ' (proxied)')[1] as string;
          const body = Buffer.from(
            JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `<memory>${memory}</memory>` }] }),
          );
          const res = await fetch(`${svc.url}/v1/messages`, { method: 'POST', body });
          expect(res.status).toBe(200);
          expect(res.headers.get('x-compression')).toBe('failed');
          expect(res.headers.get('x-compression-reason')).toMatch(/^timeout/);
          expect(upstream.bodies.at(-1)?.equals(body)).toBe(true);
          // Queued after the abandoned compression: when it is done, anything before it ran.
          const after = c.compress(texts(3, ' (after)')[2] as string, opts);
          const [rBusy, rAfter] = await Promise.all([busy, after]);
          // Before: the proxy's compression ran between the two, for nobody.
          expect(evaluated).toBe(prunerTokens(rBusy) + prunerTokens(rAfter));
        } finally {
          await svc.close();
        }
      });
    } finally {
      await upstream.close();
    }
  }, 600_000);

  it('the service stops a compression whose client hung up', async () => {
    await withCompressor({}, async (c) => {
      const svc = await startCompressorService({ compressor: c, port: 0, token: 't' });
      try {
        evaluated = 0;
        const started = modelStarted();
        const busy = c.compress(long(' (busy 2)'), opts);
        await started;
        const client = new AbortController();
        const req = fetch(`${svc.url}/v1/compress`, {
          method: 'POST',
          headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
          body: JSON.stringify({ text: texts(2, ' (hung up)')[1], options: opts }),
          signal: client.signal,
        });
        req.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
        client.abort();
        await expect(req).rejects.toThrow();
        await new Promise((r) => setTimeout(r, 100));
        const after = c.compress(texts(3, ' (after 2)')[2] as string, opts);
        const [rBusy, rAfter] = await Promise.all([busy, after]);
        // Before: the request's compression ran between the two for a client long gone.
        expect(evaluated).toBe(prunerTokens(rBusy) + prunerTokens(rAfter));
        expect(svc.metrics.byStatus['499']).toBe(1);
      } finally {
        await svc.close();
      }
    });
  }, 600_000);
});
