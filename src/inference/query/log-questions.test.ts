import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { rankLogAnswers } from './log-questions.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/** A release whose database step fails on a lock, is retried and passes, among health checks and ticks. */
const RELEASE = [
  '[2026-12-02 14:02:04,886] INFO deploy: release 2026.12.02-1 of billing-service requested by ci',
  '[2026-12-02 14:02:09,877] INFO deploy: running pre-release step: alembic upgrade head',
  '[2026-12-02 14:02:16,476] INFO alembic.runtime.migration: Context impl PostgresqlImpl.',
  '[2026-12-02 14:02:27,601] INFO alembic.runtime.migration: Running upgrade 3f2a9c -> 7b41de, add invoices.currency',
  ...Array.from(
    { length: 8 },
    (_, i) => `[2026-12-02 14:03:${10 + i},000] DEBUG billing.tasks: scheduler tick ${i}: 0 jobs due`,
  ),
  '[2026-12-02 14:03:37,541] INFO alembic.runtime.migration: Running upgrade 7b41de -> 9c0e11, backfill invoices.currency',
  '[2026-12-02 14:04:18,087] INFO gunicorn.access: 10.0.3.14 "GET /health HTTP/1.1" 200 2',
  '[2026-12-02 14:04:22,670] WARNING alembic.runtime.migration: lock timeout on table orders (AccessExclusiveLock held by pid 48812)',
  '[2026-12-02 14:04:25,416] ERROR deploy: pre-release step failed: alembic upgrade head exited with status 1',
  'Traceback (most recent call last):',
  '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
  '    self.dialect.do_execute(',
  'psycopg.errors.LockNotAvailable: canceling statement due to lock timeout',
  '[2026-12-02 14:04:30,954] ERROR deploy: release 2026.12.02-1 of billing-service aborted',
  ...Array.from(
    { length: 8 },
    (_, i) => `[2026-12-02 14:04:${40 + i},000] DEBUG billing.tasks: scheduler tick ${8 + i}: 0 jobs due`,
  ),
  '[2026-12-02 14:05:21,000] INFO deploy: retrying release 2026.12.02-1 after killing blocking session pid 48812',
  '[2026-12-02 14:05:23,214] INFO alembic.runtime.migration: Running upgrade 7b41de -> 9c0e11, backfill invoices.currency',
  '[2026-12-02 14:06:00,723] INFO deploy: pre-release step done: alembic upgrade head',
  '[2026-12-02 14:06:01,011] INFO deploy: release 2026.12.02-1 live on 4/4 instances',
].join('\n');

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('a log asked how long or why it failed (review F-12)', () => {
  it('keeps a step start with its ends for a duration question, though the end names no word of it', async () => {
    const r = await selectForQuery(RELEASE, { query: 'How long did the database migration take?', budget: 150, count });
    expect(r.text).toContain('running pre-release step: alembic upgrade head');
    expect(r.text).toContain('pre-release step done: alembic upgrade head');
  });

  it('keeps the warning just before an error for a failure question', async () => {
    const r = await selectForQuery(RELEASE, { query: 'Why did the release fail?', budget: 150, count });
    expect(r.text).toContain('lock timeout on table orders');
    expect(r.text).toContain('pre-release step failed');
  });

  it('keeps the answers at a tight budget: no next record comes with a start, the error with its nearest cause (re-read of session 32)', async () => {
    const log = [
      '2026-11-30T21:58:00.001Z INFO deploy: starting deploy of api 2.4.0',
      '2026-11-30T21:58:01.114Z INFO deploy: running pre-release step: alembic upgrade head',
      '2026-11-30T21:58:02.114Z INFO alembic.runtime.migration: Running upgrade 1a2b -> 3c4d, add orders index',
      '2026-11-30T21:58:40.500Z WARN db: lock timeout on table orders, retrying',
      '2026-11-30T21:59:02.114Z WARN db: Connection pool exhausted (20/20 in use)',
      '2026-11-30T21:59:05.000Z ERROR deploy: pre-release step failed: alembic upgrade head',
      '2026-11-30T21:59:30.000Z INFO deploy: retrying pre-release step: alembic upgrade head',
      '2026-11-30T22:03:42.000Z INFO deploy: pre-release step done: alembic upgrade head',
      '2026-11-30T22:03:50.000Z INFO health: GET /healthz 200 in 5ms',
      '2026-11-30T22:04:00.000Z INFO deploy: deploy of api 2.4.0 done',
    ].join('\n');
    const long = await selectForQuery(log, { query: 'How long did the deploy take?', budget: 70, count });
    expect(long.text).toContain('starting deploy of api 2.4.0');
    expect(long.text).toContain('deploy of api 2.4.0 done');
    const why = await selectForQuery(log, { query: 'Why did the deploy fail?', budget: 70, count });
    expect(why.text).toContain('pre-release step failed');
    expect(why.text).toContain('Connection pool exhausted');
  });

  it('puts a stated duration of what is asked first, before a start and its end', () => {
    const log = [
      '2026-11-30T09:12:38.219Z INFO  [migrator] Migration started: 0141_add_order_channel',
      '2026-11-30T09:12:57.060Z INFO  [migrator] 0141_add_order_channel applied in 2.3s',
      '2026-11-30T09:13:01.000Z WARN  [migrator] lock wait on orders took 31.4s',
      '2026-11-30T09:15:26.155Z INFO  [migrator] All migrations finished; total duration=321s',
      '2026-11-30T09:15:30.000Z INFO  [healthcheck] GET /healthz 200',
    ].join('\n');
    const memory = parseMemory(log);
    expect(memory.log).toBe(true);
    const score = Float64Array.from([3, 0, 2, 1, 4]);
    rankLogAnswers(score, memory, 'How long did the migrations take?');
    const order = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number));
    expect(order.slice(0, 4)).toEqual([3, 0, 1, 2]);
  });

  it('leaves other questions and other memories as they were', () => {
    const memory = parseMemory(RELEASE);
    const score = Float64Array.from(memory.units, (_, i) => i % 7);
    const before = [...score];
    rankLogAnswers(score, memory, 'Which instances run the release?');
    expect([...score]).toEqual(before);
    const prose = parseMemory('The migration started at nine. It failed at ten. Then it was retried and done by noon.');
    const s = Float64Array.from(prose.units, () => 1);
    rankLogAnswers(s, prose, 'Why did the migration fail?');
    expect([...s].every((v) => v === 1)).toBe(true);
  });
});
