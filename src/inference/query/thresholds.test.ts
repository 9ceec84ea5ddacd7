import { describe, expect, it } from 'vitest';
import { boundsOf, queryQuantities } from './thresholds.ts';

describe('boundsOf', () => {
  // "no more than 30 days" is an upper bound: read as "more than", a question's 45 days met it.
  it('reads a negated comparison the right way round', () => {
    expect(boundsOf('Refunds are paid no more than 30 days after purchase.')).toEqual([
      { kind: 'day', value: 30, side: 'max', inclusive: true },
    ]);
    expect(boundsOf('Not more than 5 % of the budget.')).toEqual([
      { kind: '%', value: 5, side: 'max', inclusive: true },
    ]);
    expect(boundsOf('A claim needs no fewer than 3 days of absence.')).toEqual([
      { kind: 'day', value: 3, side: 'min', inclusive: true },
    ]);
    expect(boundsOf('a stay not longer than 2 weeks')).toEqual([
      { kind: 'week', value: 2, side: 'max', inclusive: true },
    ]);
    expect(boundsOf('not under 18 years')).toEqual([{ kind: 'year', value: 18, side: 'min', inclusive: true }]);
  });

  it('reads the plain comparisons as before', () => {
    expect(boundsOf('more than 60 days, less than 2 weeks, at least 5 %, up to 3 months')).toEqual([
      { kind: 'day', value: 60, side: 'min', inclusive: false },
      { kind: 'week', value: 2, side: 'max', inclusive: false },
      { kind: '%', value: 5, side: 'min', inclusive: true },
      { kind: 'month', value: 3, side: 'max', inclusive: true },
    ]);
  });
});

describe('queryQuantities', () => {
  it('reads every thousands comma of a number', () => {
    expect([...queryQuantities('if I earn 1,250,000 euros, or 12,000 euros, or 98,5 % of 1,250,000.50 euros')]).toEqual(
      [
        ['eur', [1250000, 12000, 1250000.5]],
        ['%', [98.5]],
      ],
    );
    expect(boundsOf('Incomes over 1,000,000 euros pay the top rate.')).toEqual([
      { kind: 'eur', value: 1000000, side: 'min', inclusive: false },
    ]);
  });
});
