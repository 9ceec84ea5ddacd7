import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { testClassifierDir } from '../training/classifier-test-model.ts';
import { createCompressor } from './compress.ts';
import { parseInferenceConfig } from './config.ts';

const DIALOGUE = [
  'Caroline: I went to the LGBTQ support group yesterday and it was so powerful, honestly.',
  'Melanie: Wow, that is really cool! I painted a sunrise over the lake last week with my kids.',
  'Caroline: That sounds lovely, I am so happy for you and your family, really.',
].join('\n');

const config = (classifierPath: string) =>
  parseInferenceConfig(
    {
      models: {
        classifier: { kind: 'classify', path: classifierPath, threads: 1 },
        pruner: { kind: 'prune', path: ensureSmolLM2(), contextSize: 512, threads: 1 },
      },
      // The classifier before the pruner, as configs/inference.yaml orders them.
      pipelines: {
        nl: ['rules', 'classifier', 'pruner'],
        chat: ['rules', 'classifier', 'pruner'],
        code: ['rules', 'code-path'],
        mixed: ['rules', 'classifier', 'pruner'],
      },
      ratio: 0.5,
    },
    {},
  );

const present = createCompressor(config(testClassifierDir()));
const absent = createCompressor(config(join(testClassifierDir(), 'not-trained-yet')));
afterAll(async () => {
  await present.dispose();
  await absent.dispose();
});

describe('the pipeline with a token classifier', () => {
  it('chooses the classifier when its model is there, says so, and does not prune its output again', async () => {
    const r = await present.compress(DIALOGUE, { domain: 'chat' });
    expect(r.strategy).toBe('rules+classifier');
    expect(r.model).toBe('test-classifier');
    expect(r.fallback).toBeNull();
    expect(r.notes).toContain('classifier: ran (test-classifier)');
    expect(r.notes).toContain('pruner: skipped (classifier already compressed this text)');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    expect(r.timings.find((t) => t.stage === 'classifier')?.modelTokens).toBeGreaterThan(0);
    // Its load state, for the Models page.
    const info = present.models().find((m) => m.name === 'classifier');
    expect(info).toMatchObject({ kind: 'classify', exists: true, state: { model: 'ready' } });
  });

  it('falls through to the pruner when no classifier has been trained, and says why', async () => {
    const r = await absent.compress(DIALOGUE, { domain: 'chat' });
    expect(r.strategy).toBe('rules+pruner');
    // One line says which stage ran and which were skipped, and why (review 2: a note a skipped stage was noise).
    expect(r.notes).toContainEqual(
      expect.stringMatching(/^pruner: ran \(.+\); skipped: classifier \(no model file at .*not-trained-yet\)$/),
    );
    expect(r.notes.filter((n) => n.includes('no model file'))).toHaveLength(1);
    expect(absent.models().find((m) => m.name === 'classifier')).toMatchObject({ exists: false });
  }, 120_000);

  it('is forced with model "classifier", and never given code', async () => {
    const forced = await present.compress(DIALOGUE, { domain: 'nl', model: 'classifier' });
    expect(forced.pipeline).toEqual(['rules', 'classifier']);
    expect(forced.strategy).toBe('rules+classifier');
    const code = await present.compress('def add(a, b):\n    # add them\n    return a + b\n', {
      domain: 'code',
      language: 'python',
      model: 'classifier',
    });
    expect(code.strategy).not.toContain('classifier');
    expect(code.notes).toContain('classifier: skipped (code keeps its own path)');
  });
});
