import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { fixedPhraseBonds } from './fixed-phrases.ts';
import { splitUnits } from './index.ts';
import { flatPrune } from './testing/flat-prune.ts';

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const prune = (text: string, ratio: number) => flatPrune(text, ratio, o200k);

/** The words of each fixed phrase found, joined. */
const phrases = (text: string) => {
  const units = splitUnits(text);
  const bonds = fixedPhraseBonds(text, units, new Uint8Array(units.length));
  const out = new Map<number, string[]>();
  bonds.forEach((b, i) => {
    if (b >= 0) out.set(b, [...(out.get(b) ?? []), text.slice((units[i] as { word: number }).word, units[i]?.end)]);
  });
  return [...out.values()].map((w) => w.join(' '));
};

describe('fixed phrases', () => {
  it('finds phrases whose words mean nothing alone, not their literal readings', () => {
    expect(phrases('Heads up: of course, by the way, I was under the weather. He came after all.')).toEqual([
      'Heads up:',
      'of course,',
      'by the way,',
      'under the weather.',
      'after all.',
    ]);
    expect(phrases('We left after all the guests had gone, and it is open at all times.')).toEqual([]);
  });

  it('keeps a fixed phrase whole or drops it whole (review: "heads up" came out "Heads")', () => {
    const texts = [
      'Heads up: the staging database will be wiped on Friday, so export anything you need before then.',
      'Of course the plumber came late again, and by the way the boiler still leaks on cold mornings.',
      'Ana was under the weather all week, so the quarterly review with the Lisbon team moved.',
    ];
    for (const text of texts)
      for (const ratio of [0.5, 0.33]) {
        const out = prune(text, ratio);
        expect(out, `${ratio}: ${out}`).not.toMatch(/(?:^|\s)Heads(?! up)/);
        expect(out, `${ratio}: ${out}`).not.toMatch(/(?:^|\s)course(?<!of course)/i);
        expect(out, `${ratio}: ${out}`).not.toMatch(/(?:^|\s)(?<!the )way\b/);
        expect(out, `${ratio}: ${out}`).not.toMatch(/(?<!the )weather/);
      }
  });
});

describe('fixed phrases (review 3 leftovers)', () => {
  it('bonds a phrasal verb\'s particle and "got it"', () => {
    // Review 3: "Got it, Tomasz." read "Got Tomasz."; "it will be switched off" read "switched".
    expect(phrases('Got it, Ana. The heater is switched on at six and we log in at seven.')).toEqual([
      'Got it,',
      'switched on',
      'log in',
    ]);
  });
});
