import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { isGitLog, rankReverts, shortCommitHeader } from './git-log.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/** A review's git log (review2-inputs/gitlog.txt), its first four commits. */
const LOG = [
  'commit 9f3c2a1e7b4d5c6a8e9f0b1c2d3e4f5a6b7c8d9e',
  'Author: Ines Carvalho <ines@tessera.dev>',
  'Date:   Mon Oct 14 17:22:05 2024 +0200',
  '',
  '    Revert "cache: enable Redis cluster mode by default"',
  '',
  '    This reverts commit 4b1d0e2c. Cluster mode broke MULTI/EXEC for the',
  '    session store: keys of one session hash to different slots. Cluster',
  '    mode stays available behind CACHE_CLUSTER=1 but is NOT the default',
  '    until sessions use hash tags.',
  '',
  'commit 4b1d0e2c8a7f6e5d4c3b2a1908f7e6d5c4b3a291',
  'Author: Jonas Weber <jonas@tessera.dev>',
  'Date:   Fri Oct 11 10:03:41 2024 +0200',
  '',
  '    cache: enable Redis cluster mode by default',
  '',
  '    Our managed Redis moved to cluster mode on 2024-10-09. Single-node',
  '    mode still works for local development.',
  '',
  'commit 7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a',
  'Author: Ines Carvalho <ines@tessera.dev>',
  'Date:   Wed Oct 9 14:48:12 2024 +0200',
  '',
  '    auth: shorten access token lifetime to 15 minutes',
  '',
  '    Access tokens lived 60 minutes; the security review (SEC-88) asked',
  '    for 15. Refresh tokens are unchanged (30 days). Mobile clients older',
  '    than 5.2.0 do not refresh on 401 and will log users out every 15',
  '    minutes, so the API keeps issuing 60-minute tokens to user agents',
  '    below 5.2.0 until 2024-12-01.',
  '',
  'commit 3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6',
  'Author: Yusuf Demir <yusuf@tessera.dev>',
  'Date:   Tue Oct 8 09:15:30 2024 +0200',
  '',
  "    billing: charge VAT on EU B2C invoices from the customer's country",
  '',
  '    Swiss and UK customers are not in scope: no VAT charged.',
  '',
].join('\n');

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('git log', () => {
  it('reads each commit as a record: its header lines, its subject, its body sentences across wrapped lines', () => {
    const m = parseMemory(LOG);
    expect(m.format).toBe('prose');
    expect(m.groups).toHaveLength(4);
    expect(m.groups[1]?.header).toBe(
      'commit 4b1d0e2c8a7f6e5d4c3b2a1908f7e6d5c4b3a291\nAuthor: Jonas Weber <jonas@tessera.dev>\nDate:   Fri Oct 11 10:03:41 2024 +0200',
    );
    const texts = (g: number) => m.groups[g]?.units.map((i) => m.units[i]?.text);
    expect(texts(1)).toEqual([
      'cache: enable Redis cluster mode by default',
      'Our managed Redis moved to cluster mode on 2024-10-09.',
      'Single-node mode still works for local development.',
    ]);
    expect(m.units[m.groups[1]?.lead as number]?.text).toBe('cache: enable Redis cluster mode by default');
    expect(texts(0)).toContain(
      'Cluster mode stays available behind CACHE_CLUSTER=1 but is NOT the default until sessions use hash tags.',
    );
    // No header field is a unit: none can be kept away from its commit.
    expect(m.units.some((u) => /^(?:Author|Date):/.test(u.text))).toBe(false);
  });

  it('keeps a body line under its own commit, with its subject (review: "...until 2024-12-01.\\nAuthor: Yusuf Demir")', async () => {
    const r = await selectForQuery(LOG, { query: 'Are refresh tokens unchanged?', budget: 100, count });
    expect(r.text).toBe(
      'commit 7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a\nAuthor: Ines Carvalho <ines@tessera.dev>\nDate:   Wed Oct 9 14:48:12 2024 +0200\nauth: shorten access token lifetime to 15 minutes\nRefresh tokens are unchanged (30 days).',
    );
  });

  it('shows a commit header short in the telegraphic style', () => {
    expect(
      shortCommitHeader(
        'commit 3f2a9c1e7b4d5c6a8e9f\nAuthor: Ines Carvalho <ines@tessera.dev>\nDate:   Fri Oct 11 10:03:41 2024 +0200',
      ),
    ).toBe('commit 3f2a9c1 · Ines Carvalho · 11 Oct 2024');
    expect(shortCommitHeader('Session 1 (8 May 2023)')).toBeNull();
  });

  it('ranks a revert right after the commit it reverts, as the newer word on it', () => {
    const m = parseMemory(LOG);
    const score = new Float64Array(m.units.length).fill(-10);
    const reverted = m.groups[1]?.lead as number;
    score[reverted] = 5;
    const notDefault = m.units.find((u) => u.text.includes('NOT the default'))?.index as number;
    rankReverts(score, m);
    const order = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number));
    expect(order[0]).toBe(reverted);
    expect(m.groups[0]?.units).toContain(order[1]);
    expect(score[notDefault]).toBeGreaterThan(4);
  });

  it('pairs a revert with the commit its hash names, not a later one with the same subject (review of session 28)', () => {
    // The change made again after its revert: its subject twice in the log, the newer one first.
    const again = [
      'commit aa11bb22cc33dd44ee55ff6600aa11bb22cc33dd',
      'Author: Jonas Weber <jonas@tessera.dev>',
      'Date:   Tue Nov 5 09:12:00 2024 +0100',
      '',
      '    cache: enable Redis cluster mode by default',
      '',
      '    Sessions now use hash tags, so cluster mode is the default again.',
      '',
    ].join('\n');
    const m = parseMemory(`${again}\n${LOG}`);
    const score = new Float64Array(m.units.length).fill(-10);
    score[m.groups[2]?.lead as number] = 5;
    const notDefault = m.units.find((u) => u.text.includes('NOT the default'))?.index as number;
    rankReverts(score, m);
    expect(score[notDefault]).toBeGreaterThan(4);
    // Named by its subject alone, a revert pairs with the nearest older commit of that subject.
    const bySubject = parseMemory(`${again}\n${LOG.replace('This reverts commit 4b1d0e2c. ', '')}`);
    const s2 = new Float64Array(bySubject.units.length).fill(-10);
    s2[bySubject.groups[2]?.lead as number] = 5;
    rankReverts(s2, bySubject);
    expect(s2[bySubject.units.find((u) => u.text.includes('NOT the default'))?.index as number]).toBeGreaterThan(4);
  });

  it('reads --oneline logs as one record a line, and leaves other text alone', () => {
    const oneline =
      'a1b2c3d (HEAD -> main) fix: retry on 503\nb2c3d4e feat: add export button to reports\n0c1d2e3 chore: bump deps';
    expect(isGitLog(oneline)).toBe(true);
    const m = parseMemory(oneline);
    expect(m.units.map((u) => u.text)).toEqual(oneline.split('\n'));
    expect(new Set(m.units.map((u) => u.group)).size).toBe(3);
    expect(isGitLog('We committed to the plan.\nAuthor: me')).toBe(false);
  });
});
