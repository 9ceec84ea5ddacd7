import { describe, expect, it } from 'vitest';
import { rankDeadlines } from './deadlines.ts';
import { parseMemory } from './memory-units.ts';
import { WHEN } from './query-cues.ts';

const NOTICE = [
  'RENEWAL OPTIONS',
  'Your lease ends on 30 June 2026. You may either:',
  '(a) renew for 12 months at the new rent, or',
  '(b) give notice and move out at the end of the term.',
  'Reply to the letting agent by 15 April 2026.',
  'If we hear nothing, option (a) applies.',
  '',
  'Parking permits are renewed every January.',
].join('\n');

describe('rankDeadlines (review 3)', () => {
  const ranked = (query: string) => {
    const m = parseMemory(NOTICE);
    // The ranker's order: the lines naming the options first, the deadline (no word of the question) low.
    const score = Float64Array.from(m.units, (u) =>
      u.text.includes('15 April') ? -6 : u.text.startsWith('(') ? 1 : -2,
    );
    rankDeadlines(score, m, query);
    const best = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number))[0] as number;
    return m.units[best]?.text;
  };

  it('puts the deadline of the best lines first for a question asking by when', () => {
    expect(ranked('By when must the tenant choose an option?')).toBe('Reply to the letting agent by 15 April 2026.');
    expect(ranked('What is the deadline to choose an option?')).toBe('Reply to the letting agent by 15 April 2026.');
  });

  it('leaves a chat alone: one section, where "until 2 March 2020" is no deadline (review of session 29)', () => {
    const chat = [
      'Ana: The report deadline is Friday, we can talk about it then.',
      'Ben: Which report?',
      'Ana: I lived in Porto until 2 March 2020.',
      'Ben: We met before 14 June 2019 at the lake.',
    ].join('\n');
    const m = parseMemory(chat);
    expect(m.format).toBe('dialogue');
    const score = Float64Array.from(m.units, (_, k) => [0.9, 0.8, 0.1, 0.05][k] ?? 0);
    rankDeadlines(score, m, 'What is the deadline for the report?');
    expect([...score]).toEqual([0.9, 0.8, 0.1, 0.05]);
  });

  it('leaves the order alone for another question', () => {
    expect(ranked('Which options does the tenant have?')).toMatch(/^\(a\)/);
  });

  it('reads "By when" and "Until when" as time questions', () => {
    expect(WHEN.test('By when must Hannah choose an option?')).toBe(true);
    expect(WHEN.test('Until when is the offer valid?')).toBe(true);
    expect(WHEN.test('Where is the offer?')).toBe(false);
  });
});
