import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from './extremes.ts';

describe('maxOf / minOf', () => {
  it('read 300,000 values, where a spread into Math.max throws', () => {
    const many = Float64Array.from({ length: 300_000 }, (_, i) => Math.sin(i));
    expect(() => Math.max(...many)).toThrow(RangeError);
    expect(maxOf(many)).toBeCloseTo(1, 6);
    expect(minOf(many)).toBeCloseTo(-1, 6);
    expect(maxOf([3, 9, -2])).toBe(9);
    expect(minOf([3, 9, -2])).toBe(-2);
    expect(maxOf([])).toBe(Number.NEGATIVE_INFINITY);
    expect(minOf([])).toBe(Number.POSITIVE_INFINITY);
  });
});
