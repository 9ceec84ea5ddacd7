import { describe, expect, it } from 'vitest';
import { antecedentsOf, refersBack } from './antecedents.ts';
import { parseMemory } from './memory-units.ts';

describe('refersBack (review 6)', () => {
  it('reads "one" standing for a thing named before, and a short sentence about "the" thing, as referring back', () => {
    for (const t of [
      'First full week without one since January.',
      'I lost my umbrella, so I bought a new one.',
      'The amount is unchanged.',
      'The price stays the same.',
    ])
      expect(refersBack(t), t).toBe(true);
    for (const t of [
      // A figure of its own, or long enough to say what it is about.
      'The rent is £1,150 per calendar month.',
      'The Landlord is responsible for the structure, exterior, heating and hot water.',
      'One coffee in the morning, one at lunch.',
      'Leave must start within 12 months of the birth or adoption.',
    ])
      expect(refersBack(t), t).toBe(false);
  });

  it('ties an amendment\'s "The amount is unchanged." to the change it qualifies', () => {
    const m = parseMemory(
      [
        'SCHEDULE OF AMENDMENTS',
        'A3 (15 Jan 2025): rent payment date moved from the 1st to the 5th of each month, from February 2025. The amount is unchanged.',
      ].join('\n'),
    );
    const tied = antecedentsOf(m);
    const at = m.units.findIndex((u) => u.text === 'The amount is unchanged.');
    expect(at).toBeGreaterThan(0);
    expect((tied[at] ?? []).map((i) => m.units[i]?.text)).toEqual([
      'A3 (15 Jan 2025): rent payment date moved from the 1st to the 5th of each month, from February 2025.',
    ]);
  });
});
