import { diffWordsWithSpace } from 'diff';
import { describe, expect, it } from 'vitest';
import { sideMarks, wordDiff } from './segments.ts';

/** The texts each side marks as changed, in order. */
function marked(original: string, compressed: string) {
  const marks = sideMarks(original, compressed, wordDiff(original, compressed));
  return {
    original: marks.original.map((m) => original.slice(m.start, m.end)),
    compressed: marks.compressed.map((m) => compressed.slice(m.start, m.end)),
  };
}

describe('wordDiff', () => {
  it('strikes a line a selection dropped whole, not the words it shares with a kept line', () => {
    const original = [
      'diff --git a/limits.ts b/limits.ts',
      '@@ -1,4 +1,5 @@',
      '-export const MAX_ITEMS = 50;',
      '+export const MAX_ITEMS = 100;',
      '+export const SESSION_MINUTES = 45;',
      '+export const MAX_COUPONS = 2;',
      ' export function withinLimits() {}',
      '',
    ].join('\n');
    const compressed = [
      'diff --git a/limits.ts b/limits.ts',
      '@@ -1,4 +1,5 @@',
      '-export const MAX_ITEMS = 50;',
      '+export const MAX_ITEMS = 100;',
      '+export const MAX_COUPONS = 2;',
    ].join('\n');
    const { original: struck, compressed: added } = marked(original, compressed);
    expect(struck.join('')).toBe('+export const SESSION_MINUTES = 45;\n\n export function withinLimits() {}\n');
    expect(struck).toContain('+export const SESSION_MINUTES = 45;\n');
    expect(added).toEqual([]);
  });

  it('diffs word by word between the lines both texts share', () => {
    const original = 'Title\n\nThe build is very slow because the cache is cold.\n\nEnd\n';
    const compressed = 'Title\n\nbuild slow: cache cold.\n\nEnd\n';
    const { original: struck, compressed: added } = marked(original, compressed);
    expect(struck.join('|')).toContain('very');
    expect(struck.join('')).not.toMatch(/Title|End/);
    expect(added.join('')).not.toMatch(/Title|End/);
  });

  it('takes no blank line as an anchor: a paragraph and its shortened line are diffed together', async () => {
    // Found by use: a document's intro, shortened to one line under its title, showed struck whole
    // beside a line marked new, as the blank line under the title was matched to the one under it.
    const original = '# Wiki\n\nWelcome to the team page. It lists who owns what.\n\n## Services\n';
    const compressed = '# Wiki\nWelcome team page lists who owns what\n\n## Services\n';
    const { original: struck, compressed: added } = marked(original, compressed);
    expect(added.join('')).not.toMatch(/Welcome|owns/);
    expect(struck.join('')).not.toMatch(/Welcome|owns|Services/);
    expect(struck.join('')).toContain('to the');
  });

  it('is the plain word diff where no line is shared (telegraphic prose)', () => {
    const original = 'Caroline: Hey Mel! How are you doing today?\nMelanie: Great, thanks, I went camping.';
    const compressed = 'Caroline: Hey Mel How doing?\nMelanie: went camping.';
    const plain = sideMarks(original, compressed, diffWordsWithSpace(original, compressed));
    const anchored = sideMarks(original, compressed, wordDiff(original, compressed));
    expect(anchored.original).toEqual(plain.original);
    expect(anchored.compressed).toEqual(plain.compressed);
  });

  it('gives up past its size limit', () => {
    expect(wordDiff('a'.repeat(300_000), 'b'.repeat(200_000))).toBeNull();
  });
});
