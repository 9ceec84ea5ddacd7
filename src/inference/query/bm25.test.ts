import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { terms } from './bm25.ts';
import { selectForQuery } from './select.ts';

describe('terms: a camel-case word also reads as the words it joins (review h3: OOMKilling never found)', () => {
  it('adds the parts after the whole term, stemmed, stop words out', () => {
    expect(terms('Warning OOMKilling node')).toEqual(['warn', 'oomkill', 'node', 'oom', 'kill']);
    expect(terms('CrashLoopBackOff')).toEqual(['crashloopbackof', 'crash', 'loop', 'back']);
    expect(terms('readinessProbe failed')).toEqual(['readinessprobe', 'fail', 'readiness', 'probe']);
    expect(terms('HTTPServer')).toEqual(['httpserver', 'http', 'server']);
    // Words in one case, or capitalised, are as they were.
    expect(terms('Dana lives in Lisbon. OOM KILLED')).toEqual(['dana', 'live', 'lisbon', 'oom', 'kill']);
  });

  it('is linear on a long run of letters beside a camel-case word (re-read of session 33)', () => {
    // Tried at every letter, the camel-case pattern ran to the run's end each time: 40,000 letters took 2 s.
    const t = performance.now();
    const out = terms(`iPhone ${'x'.repeat(40000)} k8sPod`);
    expect(performance.now() - t).toBeLessThan(300);
    expect(out.slice(-2)).toEqual(['phone', 'pod']);
  });
});

/** Notes of an on-call shift: the answer's words are one camel-case word. */
const NOTES = [
  '- The crash reporter of the mobile app was updated to version 4.2 on Monday.',
  '- The loop detector on the office router was switched off for the firmware upgrade.',
  '- checkout-api status after the deploy: CrashLoopBackOff, 14 restarts in an hour.',
  '- The database fleet was patched on Tuesday night without downtime.',
  '- Grafana dashboards were moved to the new folder structure.',
].join('\n');

describe('selectForQuery over camel-case words', () => {
  let count: TokenCounter;
  beforeAll(async () => {
    count = await o200kCounter();
  });
  it('finds a camel-case status by the words it joins', async () => {
    // Before: "crash" and "loop" each matched another line, CrashLoopBackOff none.
    const r = await selectForQuery(NOTES, { query: 'Which service is stuck in a crash loop?', budget: 25, count });
    expect(r.text).toContain('CrashLoopBackOff');
  });
});
