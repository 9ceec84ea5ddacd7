import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { regexPrefilter } from './regex-literals.ts';

const sorted = (groups: string[][]) => groups.map((g) => [...g].sort());

describe('regexPrefilter', () => {
  it('reads a plain literal as exact, lower-cased', () => {
    expect(regexPrefilter('Lisbon')).toEqual({ groups: [['lisbon']], exact: true });
    expect(regexPrefilter('d12\\.')).toEqual({ groups: [['d12.']], exact: true });
  });

  it('expands small classes and \\d into the strings a match must contain', () => {
    const p = regexPrefilter('d1[0-9],');
    expect(p.exact).toBe(true);
    expect(sorted(p.groups)).toEqual([Array.from({ length: 10 }, (_, i) => `d1${i},`)]);
    expect(sorted(regexPrefilter('d1\\d,').groups)).toEqual(sorted(p.groups));
    expect(sorted(regexPrefilter('[Aa]bc').groups)).toEqual([['abc']]);
  });

  it('reads a top-level alternation as one group, exact when every branch is', () => {
    expect(sorted(regexPrefilter('lisbon|OSLO').groups)).toEqual([['lisbon', 'oslo']]);
    expect(regexPrefilter('lisbon|OSLO').exact).toBe(true);
    expect(regexPrefilter('lisbon|os.lo').exact).toBe(false);
    expect(regexPrefilter('lisbon|o').groups).toEqual([]); // a branch with no literal: no prefilter
  });

  it('keeps the literal runs around what it cannot expand, and is then not exact', () => {
    expect(regexPrefilter('Lisbon.*Oslo')).toEqual({ groups: [['lisbon'], ['oslo']], exact: false });
    expect(regexPrefilter('abc+de')).toEqual({ groups: [['abc'], ['cde']], exact: false });
    expect(regexPrefilter('abcd?ef')).toEqual({ groups: [['abc']], exact: false });
    expect(regexPrefilter('(?i)LISBON')).toEqual({ groups: [['lisbon']], exact: false });
    expect(regexPrefilter('^abc$')).toEqual({ groups: [['abc']], exact: false });
    expect(regexPrefilter('x{2}abc')).toEqual({ groups: [['xabc']], exact: false });
  });

  it('gives no prefilter when no literal has three characters', () => {
    for (const pattern of ['ab', 'a.', '[a-z]+', 'd1[0-9a-z]', '\\w+@\\w+', '.*', 'a|b'])
      expect(regexPrefilter(pattern), pattern).toEqual({ groups: [], exact: false });
  });

  it('gives up on syntax whose length it does not track, and on non-ASCII literals', () => {
    for (const pattern of ['\\x{41}bcd', '\\pLabcd', '\\Qabc\\E', 'ab{x}cd', '\\nabc'])
      expect(regexPrefilter(pattern), pattern).toEqual({ groups: [], exact: false });
    expect(regexPrefilter('café au')).toEqual({ groups: [['caf'], [' au']], exact: false });
    expect(regexPrefilter('M[üu]ller')).toEqual({ groups: [['ller']], exact: false });
  });

  it('never names a string a match can lack (checked against RE2 on sample texts)', () => {
    const texts = ['R12 Lisbon d12, 3 items', 'OSLO d15, x', 'a\nb', 'abcdef', 'xxabc', 'day 15.', 'Müller'];
    const patterns = ['d1[0-9],', 'lisbon|oslo', 'Lisbon.*items', 'abc+d', 'x{2}abc', 'day 1?5\\.', 'M[üu]ller'];
    for (const pattern of patterns) {
      const re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
      const { groups } = regexPrefilter(pattern);
      for (const text of texts.filter((t) => re.test(t)))
        for (const group of groups)
          expect(
            group.some((s) => text.toLowerCase().includes(s)),
            `${pattern} on ${text}`,
          ).toBe(true);
    }
  });
});
