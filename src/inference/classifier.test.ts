import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWordPiece } from '../embeddings/wordpiece.ts';
import { findProtectedSpans } from '../generation/protect.ts';
import { testClassifierDir } from '../training/classifier-test-model.ts';
import { createTokenClassifier, planWindows } from './classifier.ts';

// The real small classifier the test setup trains and exports (scripts/prepare-models.ts).
const clf = createTokenClassifier({ modelDir: testClassifierDir(), windowTokens: 64, overlapTokens: 16 });
afterAll(() => clf.dispose());

const DIALOGUE = [
  'Caroline: I went to the LGBTQ support group on 7 May 2023 and it was so powerful.',
  'Melanie: Wow, that is really cool! I painted a sunrise over the lake at 6:30 am.',
  'Caroline: Hmm.',
  'Melanie: My friend Dr. Jones emailed jones@example.com about https://example.com/camp yesterday.',
].join('\n');

describe('token classifier inference', () => {
  it('is deterministic: the same text and settings give the same bytes, across instances', async () => {
    const a = await clf.compress(DIALOGUE, { ratio: 0.5, domain: 'chat' });
    const b = await clf.compress(DIALOGUE, { ratio: 0.5, domain: 'chat' });
    const other = createTokenClassifier({ modelDir: testClassifierDir(), windowTokens: 64, overlapTokens: 16 });
    const c = await other.compress(DIALOGUE, { ratio: 0.5, domain: 'chat' }).finally(() => other.dispose());
    expect(b.text).toBe(a.text);
    expect(c.text).toBe(a.text);
    expect(a.keptTokens).toBeLessThan(a.totalTokens);
  });

  it('keeps every protected span verbatim, never merges turns, and drops a speaker label left alone', async () => {
    const r = await clf.compress(DIALOGUE, { ratio: 0.5, domain: 'chat', protect: ['sunrise'] });
    const spans = findProtectedSpans(DIALOGUE, { domain: 'chat', protect: ['sunrise'] }).filter(
      (s) => s.kind !== 'speaker' && s.kind !== 'header',
    );
    expect(spans.length).toBeGreaterThan(5);
    // Each kept line is one turn of the original (a line break never disappears between turns), and
    // a kept turn keeps every protected span it holds (a turn may go whole, its spans with it).
    const turns = DIALOGUE.split('\n');
    const lines = r.text.split('\n');
    let offset = 0;
    const starts = turns.map((t) => {
      const at = offset;
      offset += t.length + 1;
      return at;
    });
    for (const line of lines) {
      expect(line).toMatch(/^(Caroline|Melanie): \S/);
      const words = line.split(' ');
      const k = turns.findIndex((t) => t.startsWith(words[0] as string) && words.every((w) => t.includes(w)));
      expect(k).toBeGreaterThanOrEqual(0);
      const from = starts[k] as number;
      const to = from + (turns[k] as string).length;
      for (const s of spans.filter((x) => x.start >= from && x.end <= to))
        expect(line).toContain(DIALOGUE.slice(s.start, s.end));
    }
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l === 'Caroline:')).toBe(false);
  });

  it("at a harsh ratio drops whole turns, as its teacher's selection does, and never leaves a bare label", async () => {
    const r = await clf.compress(DIALOGUE, { ratio: 0.2, domain: 'chat' });
    const turns = DIALOGUE.split('\n');
    const lines = r.text.split('\n');
    expect(lines.length).toBeLessThan(turns.length);
    for (const line of lines) {
      expect(line).toMatch(/^(Caroline|Melanie): \S/);
      // Every kept line is the words of one original turn, in order.
      const words = line.split(' ');
      const from = turns.find((t) => t.startsWith(words[0] as string) && words.every((w) => t.includes(w)));
      expect(from).toBeDefined();
    }
    expect(r.keptTokens).toBeLessThanOrEqual(Math.ceil(0.2 * r.totalTokens) + 2);
  });

  it('scores whole turns packed in windows, each piece once, one score per word', async () => {
    const long = Array.from(
      { length: 30 },
      (_v, i) => `Melanie: we went camping at the beach number ${i} together.`,
    ).join('\n');
    const scores = await clf.score(long);
    expect(scores.keep.length).toBe(long.split(/\s+/).length);
    // 64-token windows over ~450 pieces, no line cut: every piece once, plus [CLS] and [SEP] a window.
    const wp = loadWordPiece(join(testClassifierDir(), 'vocab.txt'));
    const pieces = long.split(/\s+/).reduce((n, w) => n + wp.encodeWord(w).length, 0);
    const windows = (scores.modelTokens - pieces) / 2;
    expect(Number.isInteger(windows)).toBe(true);
    expect(windows).toBeGreaterThanOrEqual(Math.ceil(pieces / 62));
    expect(windows).toBeLessThan(pieces / 40);
    const r = await clf.compress(long, { ratio: 0.5, domain: 'chat' });
    expect(r.ratio).toBeGreaterThan(0.4);
    expect(r.ratio).toBeLessThan(0.6);
  });

  it('cuts a line longer than a window into overlapping windows', async () => {
    const line = Array.from({ length: 40 }, (_v, i) => `we went camping at beach ${i}`).join(' ');
    const wp = loadWordPiece(join(testClassifierDir(), 'vocab.txt'));
    const pieces = line.split(' ').reduce((n, w) => n + wp.encodeWord(w).length, 0);
    const scores = await clf.score(line);
    expect(scores.keep.length).toBe(line.split(' ').length);
    // Overlaps are scored twice: more model tokens than pieces and their [CLS]/[SEP].
    expect(scores.modelTokens).toBeGreaterThan(pieces + 2 * Math.ceil(pieces / 62));
  });

  it('plans windows at word bounds with the overlap asked for', () => {
    const pieces = [[1, 2], [3], [4, 5, 6], [7], [8, 9]];
    const w = planWindows(pieces, 4, 2);
    expect(w.map((x) => x.ids)).toEqual([
      [1, 2, 3],
      [3, 4, 5, 6],
      [4, 5, 6, 7],
      [7, 8, 9],
    ]);
    expect(w[1]?.owner).toEqual([1, 2, 2, 2]);
  });

  it('packs whole lines into a window and cuts only a line too long for one', () => {
    // Lines: [w0 w1] [w2] [w3 w4 w5] [w6]; w3-w5 hold 6 pieces, more than the room of 4.
    const pieces = [[1], [2], [3, 4], [5, 6], [7, 8], [9, 10], [11]];
    const lineStart = [true, false, true, true, false, false, true];
    const w = planWindows(pieces, 4, 2, lineStart);
    expect(w.map((x) => x.ids)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [7, 8, 9, 10], [11]]);
    expect(w.map((x) => Boolean(x.cut))).toEqual([false, true, true, false]);
  });

  it('refuses code, which keeps its own path', async () => {
    await expect(clf.compress('def f(x):\n    return x', { ratio: 0.5, domain: 'code' })).rejects.toThrow(/code/);
  });
});
