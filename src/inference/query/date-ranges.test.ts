import { describe, expect, it } from 'vitest';
import { rankRangeStarts } from './date-ranges.ts';
import { parseMemory } from './memory-units.ts';

const ROTA = [
  '## Support rota (March)',
  '',
  '| Week | Lead | Backup |',
  '|---|---|---|',
  '| 3 Mar - 10 Mar | Ines Duarte | Tomás Vidal |',
  '| 10 Mar - 17 Mar | Tomás Vidal | Lea Brandt |',
  '| 17 Mar - 24 Mar | Lea Brandt | Ines Duarte |',
].join('\n');

describe('rankRangeStarts (review 3)', () => {
  it('puts first the row whose range starts on the day asked, not the one ending on it', () => {
    const m = parseMemory(ROTA);
    const rows = m.units.filter((u) => u.text.startsWith('|'));
    expect(rows).toHaveLength(3);
    // The ranker put the week ending on 10 March above the one starting on it.
    const score = new Float64Array(m.units.length).fill(-5);
    score[(rows[0] as { index: number }).index] = 1;
    score[(rows[1] as { index: number }).index] = 0;
    rankRangeStarts(score, m, 'Who leads support the week of 10 March?');
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0] as number;
    expect(m.units[best]?.text).toContain('10 Mar - 17 Mar');
  });

  it('reads the best score of a memory of 300,000 units (review of session 29: a spread overflowed the stack)', () => {
    const m = parseMemory(ROTA);
    const score = new Float64Array(300_000);
    expect(() => rankRangeStarts(score, m, 'Who leads support the week of 10 March?')).not.toThrow();
  });

  it('leaves the order alone when the question names no day', () => {
    const m = parseMemory(ROTA);
    const score = Float64Array.from(m.units.map((_, k) => -k));
    const before = [...score];
    rankRangeStarts(score, m, 'Who leads support in March?');
    expect([...score]).toEqual(before);
  });
});
