import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import { describe, expect, it } from 'vitest';
import { createLazyTiktoken } from './lazy-tiktoken.ts';

/** Every text file under samples/ plus strings that exercise byte-level merges. */
function corpus(): string[] {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (statSync(path).size < 2_000_000) texts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(import.meta.dirname, '..', '..', 'samples'));
  texts.push(
    'one line',
    'Ünïcödé — “quotes”, emoji 🤖👍🏽, CJK 日本語のテキスト, Arabic النص العربي, Hindi हिन्दी पाठ',
    '    def f(x):\n\t\treturn x**2  # ¯\\_(ツ)_/¯\r\n',
    ' '.repeat(50) + '\n\n\n' + '0123456789'.repeat(20),
    '<|endoftext|> is plain text here',
    // Pieces longer than LONGEST_PIECE, merged by the heap: the same tokens.
    `Rule: ${'-'.repeat(3000)}\n${' '.repeat(700)}x ${'a'.repeat(777)} ${'qwertyuiopasdfghjklzxcvbnm'.repeat(40)}`,
    `${'=*#.,;:!?'.repeat(150)} ${'/'.repeat(300)}${'\n'.repeat(90)} ${'ÄÖÜßéè日本'.repeat(60)} ${'🤖'.repeat(200)}`,
  );
  return texts;
}

describe('createLazyTiktoken', () => {
  it('encodes and decodes exactly as js-tiktoken does, for o200k and cl100k', async () => {
    const texts = corpus();
    expect(texts.length).toBeGreaterThan(5);
    for (const load of [
      async () => (await import('js-tiktoken/ranks/o200k_base')).default,
      async () => (await import('js-tiktoken/ranks/cl100k_base')).default,
    ]) {
      const ranks = await load();
      const lazy = createLazyTiktoken(ranks);
      const full = new Tiktoken(ranks);
      for (const text of texts) {
        const tokens = full.encode(text, [], []);
        expect(lazy.encode(text, [], [])).toEqual(tokens);
        expect(lazy.decode(tokens)).toBe(full.decode(tokens));
      }
    }
  }, 120_000);

  it('encodes a long run of one kind of character in n log n (session 39 item 6)', async () => {
    // Before: js-tiktoken's merge is quadratic in a piece's length, and a run of one class of
    // character is one piece: 10,000 dashes took about 50 s, 200,000 minutes.
    const lazy = createLazyTiktoken((await import('js-tiktoken/ranks/o200k_base')).default);
    const letters = Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('');
    for (const run of ['-'.repeat(200_000), ' '.repeat(200_000), letters]) {
      const started = performance.now();
      expect(lazy.decode(lazy.encode(run, [], []))).toBe(run);
      expect(performance.now() - started).toBeLessThan(30_000);
    }
  }, 120_000);
});
