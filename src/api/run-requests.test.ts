import { describe, expect, it } from 'vitest';
import type { Run } from '../store/runs.ts';
import { requestOf } from './run-requests.ts';

const run = (kind: Run['kind'], config: Record<string, unknown>): Run => ({
  id: 7,
  kind,
  status: 'failed',
  config,
  total: null,
  done: 0,
  summary: {},
  error: null,
  message: null,
  startedAt: '',
  updatedAt: '',
  finishedAt: null,
  spendUsd: 0,
  unpricedCalls: 0,
  budgetUsd: null,
  cancelRequested: false,
});

describe('requestOf', () => {
  it('prefers the request stored with the run, parsed with its schema', () => {
    const request = { name: 'jobs-rules', args: { domain: 'code', sourceIds: [3] } };
    expect(requestOf(run('generation', { strategy: 'rules', tag: 'other', request }))).toEqual(request);
  });

  it('reads a run the CLI started from the job’s own config, field by field', () => {
    const config = {
      strategy: 'pruned',
      ratios: [0.3, 0.5],
      sourceIds: [1, 2],
      modelArg: '/models/p.gguf',
      batch: true,
      validate: ['openai/gpt-test'],
      budgetUsd: 'lots',
    };
    expect(requestOf(run('generation', config))).toEqual({
      name: 'jobs-generate',
      args: {
        strategy: 'pruned',
        ratios: [0.3, 0.5],
        sourceIds: [1, 2],
        model: '/models/p.gguf',
        batch: true,
        validate: true,
        validators: ['openai/gpt-test'],
      },
    });
    // `validate` that is not a list of validators means the run did not validate.
    const plain = requestOf(run('generation', { ...config, validate: true }));
    expect(plain.args).not.toHaveProperty('validate');
    expect(requestOf(run('training', { runner: 'classifier', overrides: { steps: 3 } }))).toEqual({
      name: 'jobs-train',
      args: { runner: 'classifier' },
    });
  });

  it('refuses what cannot start again, saying why', () => {
    expect(() => requestOf(run('import', { paths: [] }))).toThrow(/run 7 has no paths to import again/);
    expect(() => requestOf(run('generation', { strategy: 'mixed' }))).toThrow(/cannot be resumed from here yet/);
    expect(() => requestOf(run('generation', { strategy: 'prompted', ratios: [2] }))).toThrow(
      /run 7 cannot be resumed: its stored arguments do not parse \(ratios.0\)/,
    );
  });
});
