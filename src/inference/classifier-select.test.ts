import { describe, expect, it } from 'vitest';
import { splitUnits } from '../generation/strategies/pruned/index.ts';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { keepInformation, selectClassified, type WordScores } from './classifier.ts';

// The selection alone, over keep probabilities set by hand: the pruner's rules, whatever the model says.
const scoresOf = (text: string, p: (word: string, i: number) => number): WordScores => {
  const units = splitUnits(text);
  return { units, keep: Float64Array.from(units, (u, i) => p(text.slice(u.word, u.end), i)), modelTokens: 0 };
};

const CHAT = [
  'Caroline: I went to the LGBTQ support group on 7 May 2023 and it was so powerful for me.',
  'Melanie: Thanks, sounds great!',
  'Caroline: The support group met in the library and we painted a sunrise over the lake together.',
  'Melanie: Hmm.',
].join('\n');

describe('token classifier selection (the pruner’s own)', () => {
  it('drops a small-talk turn whole, even when the classifier would keep every word of it', async () => {
    const o200k = await o200kCounter();
    const r = selectClassified(
      CHAT,
      scoresOf(CHAT, (w) => (/Thanks|sounds|great/.test(w) ? 0.99 : 0.5)),
      { ratio: 0.5, domain: 'chat' },
      o200k,
    );
    expect(r.text).not.toContain('Thanks');
    expect(r.text).not.toContain('great');
    expect(r.ratio).toBeLessThanOrEqual(0.52);
  });

  it('keeps protected spans the classifier scores at zero, and leaves no bare speaker label', async () => {
    const o200k = await o200kCounter();
    const r = selectClassified(
      CHAT,
      scoresOf(CHAT, (w) => (/7|May|2023|sunrise|Hmm/.test(w) ? 0 : 0.6)),
      { ratio: 0.5, domain: 'chat', protect: ['sunrise'] },
      o200k,
    );
    expect(r.text).toContain('7 May 2023');
    expect(r.text).toContain('sunrise');
    expect(r.protectedWords).toBeGreaterThan(3);
    // A line without a label goes on from its speaker's line above (the turn between them dropped).
    const lines = r.text.split('\n');
    expect(lines[0]).toMatch(/^(Caroline|Melanie): \S/);
    for (const line of lines) expect(line).toMatch(/^(?:(Caroline|Melanie): )?[^\s:]/);
  });

  it('lets closed-class and already-said words go first at equal keep probability', async () => {
    const o200k = await o200kCounter();
    const r = selectClassified(
      CHAT,
      scoresOf(CHAT, () => 0.5),
      // 0.4: Melanie's reaction goes whole and Caroline's second turn shows no label of its own,
      // so the same budget holds more than with one label a turn (0.46 before that rule).
      { ratio: 0.4, domain: 'chat' },
      o200k,
    );
    // Caroline's second turn goes on her first one's line, after a full stop (Melanie's between went).
    const third = r.text.split(/\n|(?<=\.) /).find((l) => l.includes('library')) as string;
    // "the", "in", "and", "we", "a" are closed-class; "support group" was said in the first turn.
    expect(third).not.toMatch(/\b(the|in|and|we|a)\b/);
    // A repeat goes before the new words: "group" (said in the first turn) is gone, they all stay.
    expect(third).not.toMatch(/group/);
    for (const w of ['library', 'painted', 'sunrise', 'lake', 'together']) expect(third).toContain(w);
  });

  it('is deterministic, and a threshold is a keep probability on the same scale', async () => {
    const o200k = await o200kCounter();
    const scores = scoresOf(CHAT, (_w, i) => ((i * 37) % 100) / 100);
    const a = selectClassified(CHAT, scores, { ratio: 0.4, domain: 'chat' }, o200k);
    const b = selectClassified(CHAT, scores, { ratio: 0.4, domain: 'chat' }, o200k);
    expect(b.text).toBe(a.text);
    const loose = selectClassified(CHAT, scores, { threshold: 0.2, domain: 'chat' }, o200k);
    const strict = selectClassified(CHAT, scores, { threshold: 0.8, domain: 'chat' }, o200k);
    expect(strict.keptWords).toBeLessThan(loose.keptWords);
    expect(keepInformation(0.5)).toBe(0);
    expect(keepInformation(0.9)).toBeGreaterThan(keepInformation(0.6));
  });
});
