import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockedUnits, splitUnits } from '../src/generation/strategies/pruned/index.ts';
import { readCachedScore } from './score-cache.ts';

// A cached score is the model's surprisal of the words that were not locked when it was scored;
// locked words got the mean. Once a protection rule changes, those scores are not what the product
// computes, and the bench must score the session again rather than measure stale numbers.
const TAG = `test-${process.pid}`;
const dir = resolve('bench', '.work', 'scores', TAG);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = 'Ana: Hey Bob! We met in Porto on 3 May.\nBob: Great, see you in Lisbon.';

/** A cache file as the pruner would write it, the words of `unscored` given the mean. */
function writeCache(key: string, unscored: ReadonlySet<number>, withList: boolean) {
  const units = splitUnits(TEXT);
  const tokenOwner = units.flatMap((_, i) => [i, i]);
  const raw = tokenOwner.map((w, t) => (unscored.has(w) ? Number.NaN : 1 + ((t * 7) % 5) / 3));
  const scored = raw.filter((v) => !Number.isNaN(v));
  const mean = scored.reduce((a, b) => a + b, 0) / scored.length;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${key}.json`),
    JSON.stringify({
      text: TEXT,
      cost: units.map(() => 1),
      tokenOwner,
      surprisal: raw.map((v) => (Number.isNaN(v) ? mean : v)),
      totalTokens: units.length,
      modelTokens: tokenOwner.length,
      ...(withList ? { unscored: [...unscored] } : {}),
    }),
  );
}

describe('readCachedScore', () => {
  const units = splitUnits(TEXT);
  const locked = lockedUnits(TEXT, units, { domain: 'chat' });
  const lockedNow = new Set([...locked.keys()].filter((i) => locked[i] === 1));

  it('uses scores made with the words locked now (listed, or read from an old file)', () => {
    writeCache('listed', lockedNow, true);
    writeCache('old', lockedNow, false);
    expect(readCachedScore(TAG, 'listed', TEXT)?.locked).toEqual(locked);
    expect(readCachedScore(TAG, 'old', TEXT)?.locked).toEqual(locked);
  });

  it('treats scores made when other words were locked as missing', () => {
    const free = [...units.keys()].find((i) => !locked[i]) as number;
    const then = new Set([...lockedNow, free]);
    writeCache('listed-stale', then, true);
    writeCache('old-stale', then, false);
    expect(readCachedScore(TAG, 'listed-stale', TEXT)).toBeUndefined();
    expect(readCachedScore(TAG, 'old-stale', TEXT)).toBeUndefined();
  });
});
