import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { dialogueTurns, lockedUnits, selectWords, splitUnits } from './index.ts';
import { leastNewTurns, wordDensity } from './select.ts';
import type { Scored } from './types.ts';

// Selection is pure: these tests give every model token the same surprisal, so what is kept
// follows from the word classes and the turn rules alone, not from a model's opinion.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

function flatScores(text: string): Scored {
  const units = splitUnits(text);
  const cost = Float64Array.from(units.map((u) => Math.max(1, o200k(text.slice(u.start, u.end)))));
  return {
    text,
    units,
    cost,
    locked: lockedUnits(text, units, { domain: 'chat' }),
    // One model token per word, each as surprising as the next.
    tokenOwner: Int32Array.from(units.map((_, i) => i)),
    surprisal: new Float64Array(units.length).fill(3),
    totalTokens: o200k(text),
    modelTokens: units.length,
  };
}

const SESSION = [
  'Session 2 (1:14 pm on 25 May, 2023): Caroline and Melanie',
  'Caroline: I went to the pottery class with my kids and it was so much fun for all of us.',
  'Melanie: That is so great to hear, I am so happy for you and for them!',
  'Caroline: We made a blue ceramic bowl, a clay turtle and two small mugs for grandma Rosa.',
  'Melanie: Wow, that is really so great, I am happy for you!',
  'Caroline: Next we will try glazing at the studio on Elm Street in Portland.',
].join('\n');

describe('selectWords (word classes and turns)', () => {
  it('drops closed-class words before any content word', () => {
    const r = selectWords(flatScores(SESSION), { ratio: 0.6 }, o200k);
    for (const w of ['pottery', 'class', 'kids', 'ceramic', 'bowl', 'turtle', 'mugs', 'glazing', 'studio', 'Elm'])
      expect(r.text).toContain(w);
    expect(r.text).not.toMatch(/\b(?:the|a|I|we|to|with)\b/);
    expect(r.ratio).toBeLessThanOrEqual(0.63);
  });

  it('drops a content word said before (given) before a new one', () => {
    const text = 'Ana: The garden needs water. The garden needs sun and the garden needs compost soon.';
    const r = selectWords(flatScores(text), { ratio: 0.6 }, o200k);
    expect(r.text).toContain('compost');
    expect(r.text).toContain('sun');
    expect((r.text.match(/garden/g) ?? []).length).toBeLessThan(3);
  });

  it('at a harsh ratio drops whole turns that say least that is new, never leaving a bare label', () => {
    const r = selectWords(flatScores(SESSION), { ratio: 0.33 }, o200k);
    for (const line of r.text.split('\n')) expect(line).not.toMatch(/^[^:]{1,40}:\s*$/);
    // The praise turns go whole; the turns of facts keep their facts.
    expect(r.text).not.toContain('happy');
    for (const w of ['ceramic', 'Rosa', 'Elm']) expect(r.text).toContain(w);
  });

  it('leastNewTurns ranks repeats and reactions first and stops at the share asked', () => {
    const scored = flatScores(SESSION);
    const turns = dialogueTurns(SESSION, scored.units);
    const none = new Uint8Array(scored.units.length);
    const dropped = leastNewTurns(scored, turns, none, 0.7);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]).toBe(3); // "Wow, that is really so great, I am happy for you!": nothing new
    expect(dropped).not.toContain(2);
    expect(leastNewTurns(scored, turns, none, 1)).toEqual([]);
  });

  it('ranks a repeated stock word ("great") below every new word, and "I\'m" with the glue', () => {
    const text = "Ana: That is great news, great work.\nBen: I'm so happy, my tomatoes grow.";
    const scored = flatScores(text);
    const density = wordDensity(scored);
    const words = scored.units.map((u) => text.slice(u.word, u.end));
    // The density of the nth occurrence of a word.
    const at = (w: string, nth = 0) => density[words.flatMap((x, i) => (x === w ? [i] : []))[nth] as number] as number;
    expect(at('great')).toBeGreaterThan(at('great', 1));
    expect(at('happy,')).toBeGreaterThan(at('great', 1));
    expect(at('work.')).toBeGreaterThan(at('great', 1));
    expect(at("I'm")).toBeLessThan(at('great', 1));
    expect(at("I'm")).toBeLessThanOrEqual(at('my'));
  });
});
