import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAllowedRoots } from '../bridge/allowed-roots.ts';
import type { StudioEvent } from '../events.ts';
import type { Project } from '../project.ts';
import { setUpTempApp } from '../store/testing/project-fixture.ts';
import { type ApiArgs, type ApiContext, type ApiName, type ApiResult, dispatch } from './index.ts';

const FIXTURES = join(import.meta.dirname, '..', 'io', '__fixtures__');

let dir: string;
let project: Project;
let app: { ctx: ApiContext; close(): Promise<void> };
const events: StudioEvent[] = [];

async function call<N extends ApiName>(name: N, args: ApiArgs<N>): Promise<ApiResult<N>> {
  return (await dispatch(app.ctx, name, args)) as ApiResult<N>;
}

/** The hashes a labeler's screen would send with a label: those of the pair as served. */
async function seen(pairId: number): Promise<{ compressedHash: string; originalHash: string }> {
  const d = await call('pairs-get', { id: pairId });
  return { compressedHash: d.pair.compressedHash, originalHash: d.source.hash };
}

/** A labeler's approval, sent as the screen sends it: naming the texts shown. */
async function approve(pairId: number, labeler = 'ana'): Promise<void> {
  await call('review-submit', { pairId, labeler, decision: 'approve', ...(await seen(pairId)) });
}

/** A labeler's rejection with its reason, naming the texts shown. */
async function reject(pairId: number, comment: string, labeler = 'ana'): Promise<void> {
  await call('review-submit', { pairId, labeler, decision: 'reject', comment, ...(await seen(pairId)) });
}

async function seed(): Promise<void> {
  const { runId } = await call('sources-import', {
    paths: [join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl'), join(FIXTURES, 'mixed.jsonl')],
  });
  await app.ctx.jobs.idle();
  expect((await call('runs-get', { id: runId })).status).toBe('succeeded');
  await call('jobs-rules', {});
  await app.ctx.jobs.idle();
}

setUpTempApp('studio-api-', (t) => ({ dir, project, app } = t));
beforeEach(() => {
  // sources-import reads only allowed folders: the project, and here the test fixtures.
  app.ctx.importRoots = createAllowedRoots([dir, FIXTURES]);
  events.length = 0;
  app.ctx.bus.subscribe((e) => events.push(e));
});

describe('dispatch', () => {
  it('checks arguments with the handler schema and names the field', async () => {
    await expect(dispatch(app.ctx, 'pairs-list', { limit: 'ten' })).rejects.toThrow(/field "limit"/);
    await expect(dispatch(app.ctx, 'nope', {})).rejects.toThrow(/unknown API function "nope"/);
    const hashes = { compressedHash: '0'.repeat(64), originalHash: '0'.repeat(64) };
    await expect(
      dispatch(app.ctx, 'review-submit', { pairId: 1, labeler: 'ana', decision: 'reject', ...hashes }),
    ).rejects.toThrow(/comment is required/);
    // A label from a person names the texts on the screen.
    await expect(
      dispatch(app.ctx, 'review-submit', { pairId: 1, labeler: 'ana', decision: 'approve' }),
    ).rejects.toThrow(/field "compressedHash"/);
  });
});

describe('jobs and runs', () => {
  it('imports in the background with progress events, then compresses every source', async () => {
    await seed();
    const kinds = events
      .filter((e) => e.type === 'run-finished')
      .map((e) => e.type === 'run-finished' && `${e.kind}:${e.status}`);
    expect(kinds).toEqual(['import:succeeded', 'generation:succeeded']);
    expect(events.some((e) => e.type === 'run-progress')).toBe(true);
    const runs = await call('runs-list', {});
    expect(runs.map((r) => r.kind)).toEqual(['generation', 'import']);
    const info = await call('project-info', {});
    expect(info.stats.sources).toBe(9);
    // 1 imported pair + a rules pair for each of the 6 sources the rules change.
    expect(info.stats.pairs).toBe(7);
  });

  it('cancels a running job through the run row, as another process would', async () => {
    const big = join(dir, 'big.jsonl');
    writeFileSync(
      big,
      Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ text: `line ${i} of a big file` })).join('\n'),
    );
    const { runId } = await call('sources-import', { paths: [big] });
    expect(await call('runs-cancel', { id: runId })).toEqual({ requested: true });
    await app.ctx.jobs.idle();
    const run = await call('runs-get', { id: runId });
    expect(run.status).toBe('cancelled');
    const done = (run.summary as { records: number }).records;
    expect(done).toBeLessThan(30_000);
    expect(run).toMatchObject({ spendUsd: 0, unpricedCalls: 0, budgetUsd: null });
    // Resuming runs the same import again: what was stored is found, the rest is added.
    const resumed = await call('runs-resume', { id: runId });
    await app.ctx.jobs.idle();
    const second = await call('runs-get', { id: resumed.runId });
    expect(second.status).toBe('succeeded');
    expect(second.summary).toMatchObject({ records: 30_000, duplicates: done, inserted: 30_000 - done });
  });
});

describe('pairs view', () => {
  it('filters by domain, strategy, label, ratio and text (plain and regex), sorts, and pages', async () => {
    await seed();
    const all = await call('pairs-list', {});
    expect(all.total).toBe(7);
    expect((await call('pairs-list', { domain: 'code' })).total).toBe(2);
    expect((await call('pairs-list', { strategy: 'manual' })).rows[0]?.preview).toBe('Invoice due 12 May.');
    expect((await call('pairs-list', { search: 'ELM STREET' })).total).toBeGreaterThan(0);
    // % and _ are literal characters in a search, not wildcards.
    // (only the program with "x % 2" contains a literal %; as a wildcard it would match all 7)
    expect((await call('pairs-list', { search: '%' })).total).toBe(1);
    expect((await call('pairs-list', { search: '_' })).total).toBeLessThan(7);
    expect((await call('pairs-list', { search: 'Elm\\s+Str', regex: true })).total).toBeGreaterThan(0);
    await expect(call('pairs-list', { search: '(', regex: true })).rejects.toThrow(/invalid regular expression/);
    const byRatio = await call('pairs-list', { sort: 'ratio' });
    const ratios = byRatio.rows.map((r) => r.ratio ?? 0);
    expect(ratios).toEqual([...ratios].sort((a, b) => a - b));
    expect((await call('pairs-list', { ratioMax: 0.7 })).rows.every((r) => (r.ratio ?? 1) <= 0.7)).toBe(true);
    const page = await call('pairs-list', { limit: 3, offset: 3 });
    expect(page.rows.map((r) => r.id)).toEqual(all.rows.slice(3, 6).map((r) => r.id));
    expect((await call('pairs-list', { verdict: 'unvalidated' })).total).toBe(7);
    expect((await call('pairs-list', { verdict: 'failures' })).total).toBe(0);
  });

  it('returns a pair with its token counts per tokenizer, labelled by method', async () => {
    await seed();
    const [code] = (await call('pairs-list', { domain: 'code' })).rows;
    const d = await call('pairs-get', { id: code?.id as number });
    expect(d.source.language).toBe('python');
    expect(d.tokens.map((t) => `${t.tokenizer}:${t.method}`)).toEqual([
      'o200k:exact',
      'cl100k:exact',
      'claude:estimate',
      'gemini:estimate',
    ]);
    expect(d.tokens[0]?.after).toBeLessThan(d.tokens[0]?.before ?? 0);
    expect(d.matrix).toEqual([]);
  });
});

describe('review', () => {
  it('serves each pair to one labeler at a time, records decisions, undoes, and tracks progress', async () => {
    await seed();
    const a = (await call('review-next', { labeler: 'ana' })).pairId;
    const b = (await call('review-next', { labeler: 'ben' })).pairId;
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(a).not.toBe(b);
    // Asking again returns the pair already held.
    expect((await call('review-next', { labeler: 'ana' })).pairId).toBe(a);
    expect(await call('review-claim', { labeler: 'ben', pairId: a as number })).toEqual({ ok: false, heldBy: 'ana' });

    await approve(a as number);
    const next = (await call('review-next', { labeler: 'ana' })).pairId;
    expect(next).not.toBe(a);
    expect(next).not.toBe(b);
    await reject(next as number, 'drops the date');
    expect((await call('review-progress', { labeler: 'ana' })).mine).toMatchObject({ approve: 1, reject: 1 });

    const undone = await call('review-undo', { labeler: 'ana' });
    expect(undone).toEqual({ pairId: next });
    expect((await call('review-progress', { labeler: 'ana' })).mine).toMatchObject({ approve: 1, reject: 0 });
    expect((await call('review-queue', { labeler: 'ana', status: 'discarded' })).map((q) => q.pairId)).toEqual([next]);
    // Every queue names each pair's source as the Pairs table does: a source with no title by where
    // it came from (review: support chats from a JSONL file showed blank titles in Queues).
    project.db.prepare('UPDATE sources SET title = NULL').run();
    const listed = (await call('pairs-list', {})).rows;
    expect(listed.every((r) => r.title)).toBe(true);
    for (const status of ['submitted', 'discarded'] as const)
      for (const q of await call('review-queue', { labeler: 'ana', status }))
        expect(q.title).toBe(listed.find((r) => r.id === q.pairId)?.title);
    // The undone pair comes back to the same labeler first.
    expect((await call('review-next', { labeler: 'ana' })).pairId).toBe(next);
  });

  it('with an overlap of 2 serves a pair to two labelers and lists their disagreement', async () => {
    await seed();
    await call('settings-update', { labelOverlap: 2 });
    const a = (await call('review-next', { labeler: 'ana' })).pairId as number;
    await approve(a);
    expect(await call('review-claim', { labeler: 'ben', pairId: a })).toEqual({ ok: true });
    await reject(a, 'loses a name', 'ben');
    const dis = await call('review-disagreements', {});
    expect(dis).toEqual([
      expect.objectContaining({
        pairId: a,
        decisions: expect.arrayContaining([expect.objectContaining({ labeler: 'ben', decision: 'reject' })]),
      }),
    ]);
    expect((await call('pairs-list', { label: 'disagree' })).rows.map((r) => r.id)).toEqual([a]);
    const progress = await call('review-progress', { labeler: 'ana' });
    expect(progress.overall).toMatchObject({ done: 1, labelers: 2 });
  });

  it('exports the current view as JSONL, CSV and preference pairs', async () => {
    await seed();
    const [one] = (await call('pairs-list', { domain: 'code' })).rows;
    const source = one?.sourceId as number;
    // A second compression of the same source, rejected, gives a chosen/rejected pair.
    const { insertPairs } = await import('../store/pairs.ts');
    const [worse] = insertPairs(project.db, [
      { sourceId: source, compressed: 'def add(a, b): ...', strategy: 'manual' },
    ]).ids;
    const oneId = one?.id as number;
    await approve(oneId);
    await reject(worse as number, 'no body');
    const jsonl = await call('pairs-export', { query: { domain: 'code' }, format: 'jsonl' });
    expect(jsonl.rows).toBe(3);
    expect(JSON.parse(jsonl.content.split('\n')[0] as string)).toHaveProperty('labels');
    const csv = await call('pairs-export', { query: { domain: 'code' }, format: 'csv' });
    expect(csv.content.split('\n')[0]).toMatch(/^id,source_id,title/);
    const dpo = await call('pairs-export', { query: {}, format: 'dpo' });
    expect(dpo.rows).toBe(1);
    const pref = JSON.parse(dpo.content.trim()) as { prompt: string; chosen: string; rejected: string };
    expect(pref.rejected).toBe('def add(a, b): ...');
    expect(pref.prompt).toContain('def add');
  });
});

describe('settings', () => {
  it('reports providers without keys, and refuses to store keys without a key store', async () => {
    const s = await call('settings-get', {});
    expect(s.keysWritable).toBe(false);
    expect(s.project.labelOverlap).toBe(1);
    await expect(call('keys-set', { keyEnv: 'ANTHROPIC_API_KEY', value: 'sk-x' })).rejects.toThrow(
      /environment of "studio serve"/,
    );
    const stored = new Map<string, string>();
    app.ctx.keys = { set: (k, v) => stored.set(k, v), clear: (k) => stored.delete(k), has: (k) => stored.has(k) };
    expect(await call('keys-set', { keyEnv: 'ANTHROPIC_API_KEY', value: 'sk-x' })).toEqual({
      keyEnv: 'ANTHROPIC_API_KEY',
      hasKey: true,
    });
    const after = await call('settings-get', {});
    expect(after.providers.find((p) => p.keyEnv === 'ANTHROPIC_API_KEY')?.hasKey).toBe(true);
    expect(JSON.stringify(after)).not.toContain('sk-x');
  });
});
