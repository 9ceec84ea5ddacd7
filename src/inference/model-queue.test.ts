import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { type Compressor, type CompressResult, createCompressor } from './compress.ts';
import { type InferenceConfigInput, parseInferenceConfig } from './config.ts';
import { modelTimeLimitMs } from './model-stage.ts';

/**
 * Calls queued for one model (compressMany, the service under concurrent requests): the model
 * timeout measures each call's own model work, from when it gets the model, so a queue longer than
 * the timeout does not send the calls at its back to the rules unread. SmolLM2 on one thread; the
 * timeout is set from a call timed alone on this machine now, so a slow machine moves both.
 * In a file of its own: the queues and the model clock are their own subject, and these tests take
 * minutes where model.test.ts takes seconds.
 */

const path = ensureSmolLM2();

// The README's sample sessions, numbered apart so no two share a cache entry.
const sessions = readFileSync(new URL('../../samples/memory.txt', import.meta.url), 'utf8').split('\n\n');
const texts = (n: number, tag = '') =>
  Array.from({ length: n }, (_, i) =>
    (sessions[i % sessions.length] as string).replace(/^Session \d+/, `Session ${i + 1}${tag}`),
  );

async function withCompressor(config: InferenceConfigInput, use: (c: Compressor) => Promise<void>): Promise<void> {
  const c = createCompressor(parseInferenceConfig(config));
  try {
    await use(c);
  } finally {
    await c.dispose();
  }
}

/** The slowest of a few calls made one at a time on a warm model: the model stage's ms. */
async function timeAlone(config: InferenceConfigInput, stage: string): Promise<number> {
  let one = 0;
  await withCompressor(config, async (c) => {
    await c.compress(texts(1, ' (load)')[0] as string, { ratio: 0.5, domain: 'chat' });
    for (const t of texts(sessions.length, ' (alone)')) {
      const r = await c.compress(t, { ratio: 0.5, domain: 'chat' });
      one = Math.max(one, r.timings.find((s) => s.stage === stage)?.ms ?? 0);
    }
  });
  return one;
}

/**
 * A queue three times longer than a timeout with room for a call five times slower than one timed
 * alone: every call must come back without a "timeout". Its results, for what each test checks next.
 */
async function queuedPastTheTimeout(
  config: (modelTimeoutMs: number) => InferenceConfigInput,
  stage: string,
): Promise<CompressResult[]> {
  const one = await timeAlone(config(60_000), stage);
  const timeout = Math.max(1000, Math.ceil(5 * one));
  const n = Math.min(64, Math.ceil((3 * timeout) / one));
  let results: CompressResult[] = [];
  await withCompressor(config(timeout), async (c) => {
    results = await c.compressMany(texts(n), { ratio: 0.5, domain: 'chat' });
  });
  const timedOut = results.filter((r) => r.fallback?.reason === 'timeout');
  expect(
    timedOut.map((r) => r.fallback?.detail),
    `${n} calls of ~${one.toFixed(0)} ms, timeout ${timeout} ms`,
  ).toEqual([]);
  return results;
}

describe('the pruner with calls queued for its one context', () => {
  // The limit is modelTimeoutMs alone here (no time per 1,000 tokens): what these tests measure is
  // the queue, not the input's length.
  const pruner = (modelTimeoutMs: number, modelTimeoutMsPer1kTokens = 0): InferenceConfigInput => ({
    models: { pruner: { kind: 'prune', path, threads: 1, contextSize: 512 } },
    pipelines: { nl: ['rules'], chat: ['rules', 'pruner'], code: ['rules'], mixed: ['rules'] },
    limits: { modelTimeoutMs, modelTimeoutMsPer1kTokens },
  });

  it('times each call from when it gets the model: a queue longer than the timeout does not send calls back to the rules', async () => {
    // Before, with the clock started at the queue: 13 of 16 here, "no answer within 2944 ms".
    for (const r of await queuedPastTheTimeout(pruner, 'pruner')) {
      expect(r.fallback).toBeNull();
      expect(r.strategy).toBe('rules+pruner');
    }
  }, 600_000);

  it('says how long the model worked on a call that timed out', async () => {
    await withCompressor(pruner(1), async (c) => {
      const results = await c.compressMany(texts(3), { ratio: 0.5, domain: 'chat' });
      for (const r of results) {
        expect(r.fallback?.reason).toBe('timeout');
        expect(r.fallback?.detail).toMatch(
          /^no answer after \d+\.\d s of model work \(limit 0\.0 s for [\d,]+ tokens: limits\.modelTimeoutMs 1; raise it in the inference config, configs\/inference\.yaml\)/,
        );
        expect(r.strategy).toBe('rules');
      }
    });
  });

  it('gives a call time for its length: a base too short for any text, and time per 1,000 tokens', async () => {
    // Before, one limit whatever the length (limits.modelTimeoutMs): a 45k-token file ran past the
    // 60 s that a short text takes a second of, and came back from the rules. Here the base is 1 ms
    // and the time per 1,000 tokens gives the shortest session five times the slowest one's time.
    const one = await timeAlone(pruner(60_000), 'pruner');
    const alone = texts(sessions.length, ' (per token)');
    const count = await o200kCounter();
    const fewest = Math.min(...alone.map((t) => count(t)));
    const per1k = Math.ceil((5 * one * 1000) / fewest);
    await withCompressor(pruner(1, per1k), async (c) => {
      for (const t of alone) {
        const r = await c.compress(t, { ratio: 0.5, domain: 'chat' });
        expect(r.fallback, `${count(t)} tokens, ${per1k} ms per 1,000, slowest alone ${one.toFixed(0)} ms`).toBeNull();
        expect(r.strategy).toBe('rules+pruner');
      }
    });
    // Too little time: the note says what limit applied and what to raise.
    await withCompressor(pruner(1, 1), async (c) => {
      const r = await c.compress(alone[0] as string, { ratio: 0.5, domain: 'chat' });
      expect(r.fallback?.reason).toBe('timeout');
      expect(r.fallback?.detail).toMatch(
        /\(limit 0\.0 s for [\d,]+ tokens: limits\.modelTimeoutMs 1 \+ limits\.modelTimeoutMsPer1kTokens 1 a 1,000 tokens; raise them in the inference config, configs\/inference\.yaml\)/,
      );
    });
  }, 600_000);
});

describe('the generator with calls queued for its one sequence', () => {
  const generator = (modelTimeoutMs: number): InferenceConfigInput => ({
    models: { smol: { kind: 'generate', path, contextSize: 1024, sequences: 1, maxOutputTokens: 24, threads: 1 } },
    pipelines: { nl: ['rules', 'smol'], chat: ['rules', 'smol'], code: ['rules'], mixed: ['rules', 'smol'] },
    limits: { modelTimeoutMs, modelTimeoutMsPer1kTokens: 0 },
  });

  it('times each call from when it gets a sequence, not from when it was queued', async () => {
    // Before: 11 of 16 here. SmolLM2 is not fine-tuned: its outputs may be refused, never for time.
    for (const r of await queuedPastTheTimeout(generator, 'smol'))
      expect(r.timings.find((s) => s.stage === 'smol')?.modelTokens).toBeGreaterThan(0);
  }, 600_000);
});

describe('the model time limit', () => {
  it('is the base plus the time per 1,000 tokens, at most what a Node timer waits', () => {
    const { limits } = parseInferenceConfig({});
    // The defaults (configs/inference.yaml says the same): 60 s and 20 s a 1,000 tokens.
    expect(modelTimeLimitMs(limits, 0)).toBe(60_000);
    expect(modelTimeLimitMs(limits, 45_000)).toBe(960_000);
    const huge = parseInferenceConfig({ limits: { modelTimeoutMsPer1kTokens: 2 ** 31 - 1 } }).limits;
    expect(modelTimeLimitMs(huge, 10_000)).toBe(2 ** 31 - 1);
  });
});
