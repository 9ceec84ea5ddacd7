import { describe, expect, it } from 'vitest';
import { answeringItems } from './answering-items.ts';

describe('answeringItems', () => {
  it('keeps the items holding the rarest term asked, with … over the gaps', () => {
    const line = Array.from(
      { length: 12 },
      (_, i) => `2025-03-${String(i + 1).padStart(2, '0')} ${i === 6 ? 'boxing' : 'spin'}`,
    ).join(', ');
    expect(answeringItems(line, 'When was boxing?', (cut) => cut.length < 200)).toBe('… 2025-03-07 boxing, …');
    // Fewer than 8 items is no list to cut.
    expect(answeringItems('a spin, b boxing, c spin', 'When was boxing?', () => true)).toBeNull();
  });

  it('splits a line with a long run of spaces in time linear in it (review of session 41)', () => {
    // Tried from each space of a run not before a bullet, the break before a bullet took 8 s for
    // 40,000 spaces.
    const boxing = `4 boxing${' '.repeat(200_000)}indoors`;
    const items = Array.from({ length: 10 }, (_, i) => (i === 4 ? boxing : `${i} spin`));
    const started = performance.now();
    expect(answeringItems(items.join(', '), 'When was boxing?', () => true)).toBe(`… ${boxing}, …`);
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 120_000);

  it('reads a line of 300,000 items without overflowing the stack (review: Math.max over a spread)', () => {
    const line = Array.from({ length: 300_000 }, (_, i) => `e${i} pilates`).join(', ');
    const cut = answeringItems(line, 'What was e123?', (c) => c.length < 2000);
    expect(cut).toContain('e123 pilates');
  });
});
