import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { combineUnique, contract, None } from '../contracts/api/contract.ts';
import { API_CONTRACTS } from '../contracts/api/index.ts';
import type { Project } from '../project.ts';
import { setUpTempApp } from '../store/testing/project-fixture.ts';
import type { ApiContext } from './context.ts';
import { checksResults, dispatchIn } from './dispatch.ts';
import { handlers } from './handler.ts';
import { API_NAMES, api, dispatch } from './index.ts';

let dir: string;
let project: Project;
let app: { ctx: ApiContext; close(): Promise<void> };

setUpTempApp('studio-api-map-', (t) => ({ dir, project, app } = t));

describe('the handler map', () => {
  it('has one handler per contract, each with its contract’s schemas', () => {
    expect(Object.keys(api).sort()).toEqual([...API_NAMES].sort());
    for (const name of API_NAMES) {
      expect(api[name].args, name).toBe(API_CONTRACTS[name].args);
      expect(api[name].result, name).toBe(API_CONTRACTS[name].result);
    }
  });

  it('throws when two areas define the same name', () => {
    const a = { 'pairs-list': 1, 'pairs-get': 2 };
    const b = { 'runs-list': 3, 'pairs-get': 4 };
    expect(() => combineUnique(a, b)).toThrow(/API names defined twice: pairs-get/);
    expect(combineUnique(a, { 'runs-list': 3 })).toEqual({ 'pairs-list': 1, 'pairs-get': 2, 'runs-list': 3 });
  });
});

describe('result checks', () => {
  const answers = contract(None, z.object({ n: z.number() }));
  // A handler that breaks its contract (the cast stands for a domain type that drifted).
  const broken = handlers({ 'project-info': answers }, { 'project-info': () => ({ n: 'seven' }) as never });

  it('are on in tests and development, off in production unless asked for', () => {
    expect(checksResults({ VITEST: 'true' })).toBe(true);
    expect(checksResults({ NODE_ENV: 'development' })).toBe(true);
    expect(checksResults({ NODE_ENV: 'production' })).toBe(false);
    expect(checksResults({ NODE_ENV: 'production', STUDIO_CHECK_RESULTS: '1' })).toBe(true);
    expect(checksResults({ VITEST: 'true', STUDIO_CHECK_RESULTS: '0' })).toBe(false);
  });

  it('refuse a result outside the contract, naming the field; unchecked, it passes as it is', async () => {
    await expect(dispatchIn(broken, app.ctx, 'project-info', {})).rejects.toThrow(
      /"project-info" answered outside its contract at n/,
    );
    app.ctx.env = { STUDIO_CHECK_RESULTS: '0' };
    expect(await dispatchIn(broken, app.ctx, 'project-info', {})).toEqual({ n: 'seven' });
  });

  it('pass the real handlers’ answers', async () => {
    for (const name of ['project-info', 'pairs-list', 'runs-list', 'settings-get', 'training-info', 'models-list'])
      await expect(dispatch(app.ctx, name, {}), name).resolves.toBeDefined();
  });
});

describe('runs-resume', () => {
  /** The jobs layer as it is, with each start's arguments written down. */
  function recordStarts(ctx: ApiContext): { kind: string; args: unknown }[] {
    const starts: { kind: string; args: unknown }[] = [];
    const real = ctx.jobs;
    ctx.jobs = {
      ...real,
      startImport(args) {
        starts.push({ kind: 'import', args });
        return real.startImport(args);
      },
      startRules(args) {
        starts.push({ kind: 'rules', args });
        return real.startRules(args);
      },
    };
    return starts;
  }

  it('re-dispatches an interrupted run with the arguments it was started with', async () => {
    const big = join(dir, 'big.jsonl');
    writeFileSync(
      big,
      Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ text: `row ${i} of a file` })).join('\n'),
    );
    const starts = recordStarts(app.ctx);
    const first = (await dispatch(app.ctx, 'sources-import', { paths: [big], tags: ['big'], format: 'jsonl' })) as {
      runId: number;
    };
    await dispatch(app.ctx, 'runs-cancel', { id: first.runId });
    await app.ctx.jobs.idle();
    const cancelled = (await dispatch(app.ctx, 'runs-get', { id: first.runId })) as {
      status: string;
      config: { request: unknown };
    };
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.config.request).toEqual({
      name: 'sources-import',
      args: { paths: [big], tags: ['big'], format: 'jsonl' },
    });

    const second = (await dispatch(app.ctx, 'runs-resume', { id: first.runId })) as { runId: number };
    await app.ctx.jobs.idle();
    expect(starts).toHaveLength(2);
    expect(starts[1]).toEqual(starts[0]);
    const resumed = (await dispatch(app.ctx, 'runs-get', { id: second.runId })) as { config: { request: unknown } };
    expect(resumed.config.request).toEqual(cancelled.config.request);

    // A rules run too: its domain, tag and sources come back exactly.
    await dispatch(app.ctx, 'jobs-rules', { domain: 'nl', tag: 'big', sourceIds: [1, 2, 3] });
    await app.ctx.jobs.idle();
    const rules = ((await dispatch(app.ctx, 'runs-list', {})) as { id: number; kind: string }[]).find(
      (r) => r.kind === 'generation',
    );
    await dispatch(app.ctx, 'runs-resume', { id: rules?.id });
    await app.ctx.jobs.idle();
    expect(starts.slice(2)).toEqual([
      { kind: 'rules', args: { domain: 'nl', tag: 'big', sourceIds: [1, 2, 3] } },
      { kind: 'rules', args: { domain: 'nl', tag: 'big', sourceIds: [1, 2, 3] } },
    ]);
  });

  it('reads a run started without the API (the CLI) from the job’s own config', async () => {
    const file = join(dir, 'small.jsonl');
    writeFileSync(file, `${JSON.stringify({ text: 'one small record' })}\n`);
    const starts = recordStarts(app.ctx);
    const { runId } = await app.ctx.jobs.startImport({ paths: [file], tags: ['cli'] });
    await app.ctx.jobs.idle();
    await dispatch(app.ctx, 'runs-resume', { id: runId });
    await app.ctx.jobs.idle();
    expect(starts[1]).toEqual({ kind: 'import', args: { paths: [file], tags: ['cli'], format: 'auto' } });
  });
});
