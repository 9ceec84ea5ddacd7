import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { flatScores as flat } from './flat-scores.ts';
import { selectWords } from './index.ts';

// Every model token equally surprising: what is kept follows from the rules alone.
let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});
const flatScores = (text: string) => flat(text, o200k);

/** An application log (review 5, F-02, in the shape of review5-inputs/app_incident.log). */
const LOG = [
  '2025-04-02T09:14:03.118Z INFO  [billing-api] Deploy v2.4.0 started by ci-bot',
  '2025-04-02T09:16:41.902Z ERROR [billing-api] Request failed POST /v1/invoices status=500',
  'com.acme.billing.db.PoolTimeoutException: Timeout after 10000 ms waiting for a connection (pool=billing)',
  '    at com.acme.billing.db.Pool.acquire(Pool.java:120)',
  '    at com.acme.billing.repo.InvoiceRepository.save(InvoiceRepository.java:61)',
  '    ... 38 more',
  '2025-04-02T09:18:10.004Z WARN  [ledger-sync] Holding 31 connections on billing (expected <= 5)',
  '2025-04-02T09:21:19.004Z ERROR [ledger-sync] Run 1 of 12 aborted: connection terminated. 300 entries rolled back, 0 committed.',
  '2025-04-02T09:40:12.771Z INFO  [ledger-sync] Run 12 of 12 committed. 4,120 entries written, 0 failed.',
  '2025-04-03T03:22:47.332Z ERROR [db-vacuum] VACUUM ANALYZE entries failed: canceling statement due to lock timeout',
  '2025-04-03T04:06:31.001Z INFO  [db-vacuum] VACUUM ANALYZE entries succeeded in 6m31s',
].join('\n');

describe('application logs in the pruner (review 5, F-02)', () => {
  it("keeps each line's [service] tag, its speaker, and the words that say how it ended", () => {
    const r = selectWords(flatScores(LOG), { ratio: 0.5 }, o200k);
    const lines = r.text.split('\n');
    for (const tag of ['[billing-api]', '[ledger-sync]', '[db-vacuum]'])
      expect(lines.filter((l) => l.includes(tag)).length).toBe(LOG.split(tag).length - 1);
    expect(r.text).toMatch(/\[ledger-sync\] .*aborted.*rolled back/);
    expect(r.text).toMatch(/\[db-vacuum\] .*failed/);
    expect(r.text).toMatch(/\[db-vacuum\] .*succeeded/);
  });

  it("keeps a stack trace's shape: each frame's 'at', its '... 38 more' whole (review 5, F-18)", () => {
    const r = selectWords(flatScores(LOG), { ratio: 0.5 }, o200k);
    expect(r.text).toContain('    ... 38 more');
    expect(r.text).toContain('    at com.acme.billing.db.Pool.acquire(Pool.java:120)');
  });

  it('locks nothing of the kind in a text that is no log', () => {
    const prose = [
      'The nightly run failed twice last week and was rolled back.',
      'On Friday it succeeded, after the team [ops] had raised the pool size.',
      'Nobody knows yet why it aborted on Monday.',
    ].join('\n');
    const r = selectWords(flatScores(prose), { ratio: 0.4 }, o200k);
    expect(r.text.includes('failed') && r.text.includes('succeeded') && r.text.includes('aborted')).toBe(false);
  });
});
