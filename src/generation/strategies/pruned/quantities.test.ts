import { describe, expect, it } from 'vitest';
import { quantitySpans } from './quantities.ts';

const spans = (text: string) => quantitySpans(text, () => false).map((s) => text.slice(s.start, s.end));

describe('quantitySpans', () => {
  it('still reads grouped numbers with their units', () => {
    expect(spans('Plomberie Martin (8 400 €), moins de 1 h 55, 1,234,567.5 rows, 12:30:45 h')).toEqual([
      '8 400 €',
      '1 h 55',
      '1,234,567.5 rows',
      '12:30:45 h',
    ]);
  });

  // A line of numbers with no unit (an embedding pasted into a memory, a data row) made each number
  // scan the rest of the line: 8,000 of them took 6 s, 16,000 took 25 s.
  it('is linear on a long line of numbers', () => {
    const values = Array.from({ length: 8000 }, (_, i) => (((i * 7919) % 1000000) / 1e6).toFixed(6));
    const spaced = Array.from({ length: 8000 }, (_, i) => String(100 + ((i * 7919) % 900)));
    const t = performance.now();
    expect(spans(`The vector was: [${values.join(',')}]`)).toEqual([]);
    expect(spans(`Readings: ${spaced.join(' ')} done`)).toEqual([]);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
