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

describe('terms: a limit named in one word, a version written as a tag (review s34 h2: compose.yaml)', () => {
  it('reads a one-word limit as its bound and what it bounds', () => {
    expect(terms('--maxmemory 256mb')).toEqual(['maxmemory', 'max', 'memory', '256mb']);
    expect(terms('minsize 2')).toEqual(['minsize', 'min', 'size', '2']);
    // Words that only start so are as they were.
    expect(terms('minimum maximize minister minute')).toEqual(['minimum', 'maximize', 'minister', 'minute']);
    // Re-read s35: "minutes", "mineral", "minority" had gained a "min" term (the rest was any 4 letters).
    expect(terms('minutes mineral minority mindfulness maxwell')).not.toContain('min');
    expect(terms('minutes mineral minority mindfulness maxwell')).not.toContain('max');
    expect(terms('maxconn 4096 maxclients 100')).toEqual([
      'maxcon',
      'max',
      'con',
      '4096',
      'maxclient',
      'max',
      'client',
      '100',
    ]);
  });

  it('adds "version" to a text holding a package or image tag, not to a time or a price', () => {
    expect(terms('image: postgres:16.4')).toContain('version');
    expect(terms('lodash@4.17.21')).toContain('version');
    expect(terms('django==4.2')).toContain('version');
    expect(terms('released v1.2.3')).toContain('version');
    expect(terms('We met at 10:30 and it cost 16.40 EUR')).not.toContain('version');
    // Re-read s35: a capitalised label's number is no tag (a package or image is named in lower case).
    expect(terms('Ratio:1.5, grade A:4.0')).not.toContain('version');
    expect(terms('bitnami/redis:7.2.4')).toContain('version');
  });
});

/** A Compose file: the answers are a one-word limit and an image's tag. */
const COMPOSE = `services:
  api:
    image: ghcr.io/acme/api
    environment:
      DATABASE_URL: postgres://app:app@db:5432/shop
      REDIS_URL: redis://cache:6379/0
      LOG_LEVEL: info
  db:
    image: postgres:16.4
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: app
      POSTGRES_DB: shop
  cache:
    image: redis:7.4-alpine
    command: ["redis-server", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
`;

describe('selectForQuery over a Compose file', () => {
  let count: TokenCounter;
  beforeAll(async () => {
    count = await o200kCounter();
  });
  it('keeps the one-word limit a question asks about in words', async () => {
    // Before: the REDIS_URL line, "maxmemory" matched neither "memory" nor anything else.
    const r = await selectForQuery(COMPOSE, { query: 'How much memory can Redis use?', budget: 30, count });
    expect(r.text).toContain('256mb');
  });
  it('keeps the image tag for a question about a version', async () => {
    // Before: POSTGRES_USER and POSTGRES_PASSWORD, no tag.
    const r = await selectForQuery(COMPOSE, { query: 'Which Postgres version does the stack use?', budget: 25, count });
    expect(r.text).toContain('postgres:16.4');
  });
});
