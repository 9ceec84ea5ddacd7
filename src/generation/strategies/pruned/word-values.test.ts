import { describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { lockedUnits } from './model.ts';
import { selectWords } from './select.ts';
import type { Scored } from './types.ts';
import { splitUnits } from './units.ts';
import { scoredFromWordValues } from './word-values.ts';

const CHAT = [
  'Caroline: Hey Mel! Good to see you.',
  'Melanie: Hi Caroline, thanks!',
  'Caroline: I went to the LGBTQ support group on 7 May 2023 and it was so powerful for me.',
  'Melanie: That sounds like a big step. We went camping by the lake with the kids last weekend.',
  'Caroline: The support group meets every other week in the library downtown.',
  'Melanie: The kids loved the lake; we roasted marshmallows and told stories by the fire.',
].join('\n');

describe('scoredFromWordValues', () => {
  it("gives selectWords the same choice as the model's own scores when fed their information per word", async () => {
    const o200k = await o200kCounter();
    const units = splitUnits(CHAT);
    // A model's scores: two to three tokens a word, surprisal from a fixed pseudo-random sequence.
    const owner: number[] = [];
    const surprisal: number[] = [];
    let seed = 7;
    units.forEach((_u, i) => {
      for (let k = 0; k < 2 + (i % 2); k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        owner.push(i);
        surprisal.push((seed % 1000) / 100);
      }
    });
    const cost = Float64Array.from(units, (u) => Math.max(1, o200k(CHAT.slice(u.start, u.end))));
    const model: Scored = {
      text: CHAT,
      units,
      cost,
      locked: lockedUnits(CHAT, units, { domain: 'chat' }),
      tokenOwner: Int32Array.from(owner),
      surprisal: Float64Array.from(surprisal),
      totalTokens: o200k(CHAT),
      modelTokens: owner.length,
    };
    const info = new Float64Array(units.length);
    owner.forEach((w, t) => {
      info[w] = (info[w] as number) + (surprisal[t] as number) / (cost[w] as number);
    });
    const fed = scoredFromWordValues(CHAT, units, info, o200k, { domain: 'chat', modelTokens: owner.length });
    for (const ratio of [0.7, 0.5, 0.33, 0.2]) {
      const a = selectWords(model, { ratio }, o200k);
      const b = selectWords(fed, { ratio }, o200k);
      expect(b.text).toBe(a.text);
      expect(b.keptTokens).toBe(a.keptTokens);
    }
    // Small talk goes whole and the date stays, as the pruner's rules say.
    const half = selectWords(fed, { ratio: 0.5 }, o200k).text;
    expect(half).not.toContain('Hey Mel');
    expect(half).toContain('7 May 2023');
  });
});
