import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { flatScores } from './flat-scores.ts';
import { dialogueTurns, selectWords, splitUnits, vocativeUnits, wordDensity } from './index.ts';

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const called = (text: string) => {
  const units = splitUnits(text);
  const v = vocativeUnits(text, units, dialogueTurns(text, units));
  return units.flatMap((u, i) => (v[i] ? [text.slice(u.word, u.end)] : []));
};

describe('vocatives', () => {
  it('finds the name a speaker calls the other by, at the start or closing a sentence', () => {
    const text = [
      'Caroline: Hey Mel! Good to see you.',
      'Melanie: Thanks, Mell! I went to Paris with Caroline.',
      'Caroline: Wow, Melanie! That is great.',
      'Melanie: Caroline, you should go too. I will be right by your side, Caroline.',
      'Caroline: Thank you, Jo! See you soon.',
    ].join('\n');
    expect(called(text)).toEqual(['Mel!', 'Mell!', 'Melanie!', 'Caroline,', 'Caroline.', 'Jo!']);
  });

  it('leaves names that are what was said alone', () => {
    const text = [
      'Ana: Paris! It was lovely, we saw Ben there.',
      'Ben: Wow, Lisbon! I met Ana in Porto, Ana.',
      'Ana: Ben and I went to Rome.',
      'Ben: Yes, Rome.',
    ].join('\n');
    // "Paris!" and "Lisbon!" are answers, not a call; "Ana." closing a sentence after a comma is one.
    expect(called(text)).toEqual(['Ana.']);
  });

  it('are not protected: a name called again goes with the repeats, and the first stays as a new word', () => {
    const text = [
      'Session 1 (9:00 am on 2 March, 2024): Ana and Ben',
      'Ana: Hey Benji! I adopted a grey greyhound called Pixel from the shelter in Leeds.',
      'Ben: Thanks, Ana! My sister Clara teaches violin at the conservatory in Bristol.',
      'Ana: Wow, Benji! Next summer we will sail to Corsica with our cousins from Lyon.',
      'Ben: Ana, that sounds like a lovely plan for the summer holidays with family.',
    ].join('\n');
    // Every word as surprising as the next: what is kept follows from the rules alone.
    const scored = flatScores(text, o200k);
    const { units, locked } = scored;
    const word = (i: number) => text.slice((units[i] as (typeof units)[number]).word, units[i]?.end);
    for (let i = 0; i < units.length; i++)
      if (['Benji!', 'Ana!', 'Ana,'].includes(word(i))) expect(locked[i], word(i)).toBe(0);
      else if (['Pixel', 'Leeds.', 'Clara', 'Corsica'].includes(word(i))) expect(locked[i], word(i)).toBe(1);
    // Ranked as words: the nickname's first call is new (an answer may use it), its second call
    // and "Ana" (said in the labels and the header already) rank with the repeats, below every
    // new content word.
    const density = wordDensity(scored);
    const at = (w: string, nth = 0) =>
      density[units.flatMap((_, i) => (word(i) === w ? [i] : []))[nth] as number] as number;
    expect(at('Benji!')).toBeGreaterThan(at('Benji!', 1));
    for (const w of ['Ana!', 'Ana,', 'Benji!']) {
      const repeat = w === 'Benji!' ? at(w, 1) : at(w);
      for (const c of ['violin', 'greyhound', 'holidays', 'Benji!']) expect(repeat).toBeLessThan(at(c));
    }
    const r = selectWords(scored, { ratio: 0.5 }, o200k);
    expect(r.text.match(/Benji/g)).toHaveLength(1);
  });
});
