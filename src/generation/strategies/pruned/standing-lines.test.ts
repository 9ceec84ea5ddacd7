import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { flatScores as flat } from './flat-scores.ts';
import { selectWords, splitUnits } from './index.ts';
import { isClosedClass } from './lexicon.ts';
import { standingUnits } from './standing-lines.ts';
import { listItems } from './units.ts';

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

// Review, a profile at keep 0.33: its instruction lines stayed, thinned to their nouns ("- Prefers
// answers in English, code comments in Dutch" came out "English Dutch", "Fridays after 15:00 are
// off-limits for work meetings" "Fridays after 15:00").
const PROFILE = [
  '# User profile: Daniel Achterberg',
  '',
  '## Basics',
  '- Lives in Utrecht, Netherlands (timezone Europe/Amsterdam)',
  '- Partner: Sanne (teacher); children: Mila (9) and Joost (6)',
  '- Speaks Dutch and English; prefers answers in English unless he writes in Dutch',
  '- Prefers answers in English, code comments in Dutch',
  '',
  '## Communication preferences',
  '- Keep answers short: bullet points, no more than 150 words unless he asks for detail',
  '- Do not use emoji',
  '- Metric units only; temperatures in Celsius',
  '',
  '## Calendar constraints',
  '- School run: drops the kids at 08:15 on Mondays and Thursdays',
  '- Fridays after 15:00 are off-limits for work meetings',
  '- Prefers meetings in the morning, never before 08:30',
  '',
  '## Projects',
  '- Renovating the attic into a home office with a dormer window and underfloor heating',
  '- Learning Spanish on Duolingo with a long streak of lessons every single evening',
  '- Training for the Dam tot Damloop with long runs on Sunday mornings along the canals',
  '',
  '## Travel',
  '- Window seat, aisle when travelling with the children and their grandparents',
  '- Has a Flying Blue Silver card and collects miles on every trip to Lisbon or Porto',
].join('\n');

/** The words of `clause` a reader cannot restore: all but the closed-class ones. */
const contentOf = (clause: string) => clause.split(/\s+/).filter((w, k) => !isClosedClass(w, k === 0));

describe('standing instructions in a list', () => {
  it('locks the clause that says the instruction, not the fact beside it', () => {
    const text = [
      '- Lives in Utrecht, Netherlands',
      '- Speaks Dutch and English; prefers answers in English unless he writes in Dutch',
      '- Works four days a week',
    ].join('\n');
    const units = splitUnits(text);
    const words = standingUnits(text, units, listItems(text, units)).map((i) =>
      text.slice((units[i] as { word: number }).word, units[i]?.end),
    );
    expect(words).toEqual(['prefers', 'answers', 'English', 'unless', 'writes', 'Dutch']);
  });

  it('keeps their verb and objects at keep 0.33 (review)', () => {
    const r = selectWords(flat(PROFILE, o200k), { ratio: 0.33 }, o200k);
    for (const clause of [
      'prefers answers in English unless he writes in Dutch',
      'Prefers answers in English, code comments in Dutch',
      'Keep answers short: bullet points, no more than 150 words unless he asks for detail',
      'Do not use emoji',
      'Fridays after 15:00 are off-limits for work meetings',
      'Prefers meetings in the morning, never before 08:30',
    ])
      for (const w of contentOf(clause)) expect(r.text, `${clause}: ${w}\n${r.text}`).toContain(w);
    // Facts beside them still go to make room.
    expect(r.text).not.toContain('Duolingo');
    expect(r.ratio).toBeLessThanOrEqual(0.4);
  });
});
