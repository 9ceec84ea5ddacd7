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

  it('keeps a measure whole with its qualifier in the same bracket (review 2)', () => {
    // Review: "Bake at 180 °C (160 °C fan)" read "Bake 180 °C 160 °C", the fan oven's setting lost.
    expect(spans('Bake at 180 °C (fan 160 °C) for 40 minutes.')).toContain('(fan 160 °C)');
    expect(spans('Bake at 180 °C (160 °C fan).')).toContain('(160 °C fan)');
    // A bracket that is the measure alone, or runs long, is no qualified measure.
    expect(spans('Plomberie Martin (8 400 €)')).toEqual(['8 400 €']);
    expect(spans('(a tin of 400 g chopped tomatoes, drained)')).toEqual(['400 g']);
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

  it('keeps a rate, a dose frequency, a currency before its amount and seconds (review 3)', () => {
    // Review 3: "100 requests per second" read "100 requests", "20 per second" "20", "capped at 30 s"
    // "30", "GBP 35,000" "35,000", "210 mg once daily" "210 mg".
    const got = spans(
      'Sandbox: 25 calls per minute per key. Uploads: 5 per hour. Timeout 45 s. Deposit: NOK 4,500. Take 500 mg twice daily.',
    );
    for (const q of ['25 calls per minute per key', '5 per hour', '45 s', 'NOK 4,500', '500 mg twice daily'])
      expect(got).toContain(q);
    // A count in brackets on any line, with what it counts.
    const vote = spans('Le devis est retenu (7 voix pour, 2 abstentions : M. Haddad).').join(' | ');
    expect(vote).toMatch(/\bvoix\b/);
    expect(vote).toContain('2 abstentions');
  });
});

describe('an amount with its scale (session 36)', () => {
  it('keeps "million" and "pence" with their number', () => {
    // Board minutes at keep 0.5 read "Revenue GBP 48.2 7% Operating fell GBP 3.1 GBP 3.9": a millionth of each.
    expect(spans('Revenue was GBP 48.2 million, up 7% on the year before.')).toContain('GBP 48.2 million');
    expect(spans('Operating profit fell to £3.1 bn from £3.9 bn.')).toEqual(
      expect.arrayContaining(['£3.1 bn', '£3.9 bn']),
    );
    expect(spans('A final dividend of 4.5 pence per share.')).toContain('4.5 pence per share');
    // A year is no amount.
    expect(spans('In 2020 many people moved.')).toEqual([]);
  });
});
