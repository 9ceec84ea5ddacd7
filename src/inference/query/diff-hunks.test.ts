import { describe, expect, it } from 'vitest';
import { maxOf } from '../../util/extremes.ts';
import { rankDiffChanges, rankFileEvents, shortDiffHeader } from './diff-hunks.ts';
import { parseMemory } from './memory-units.ts';

const DIFF = [
  'diff --git a/billing/invoice.py b/billing/invoice.py',
  'index 4e1f0a2..9c3b7d1 100644',
  '--- a/billing/invoice.py',
  '+++ b/billing/invoice.py',
  '@@ -8,7 +8,8 @@ def late_fee(amount, days_late):',
  '     """A fee for an invoice paid late."""',
  '-    if days_late <= 0:',
  '+    # A grace period of three days before any fee.',
  '+    if days_late <= 3:',
  '         return Decimal("0")',
  ' ',
  '-LATE_FEE_PERCENT = 1.5',
  '+LATE_FEE_PERCENT = 2.0',
].join('\n');

describe('a unified diff as units under their hunk and file headers (review s35 h3)', () => {
  it('keeps each line as written, a removed line with the added line replacing it', () => {
    const m = parseMemory(DIFF);
    expect(m.diff).toBe(true);
    expect(m.units.map((u) => u.text)).toEqual([
      '     """A fee for an invoice paid late."""',
      '+    # A grace period of three days before any fee.',
      '-    if days_late <= 0:\n+    if days_late <= 3:',
      '         return Decimal("0")',
      '-LATE_FEE_PERCENT = 1.5\n+LATE_FEE_PERCENT = 2.0',
    ]);
    const hunk = m.groups[m.units[0]?.group as number];
    expect(hunk?.header).toBe('@@ -8,7 +8,8 @@ def late_fee(amount, days_late):');
    expect(m.groups[hunk?.parent as number]?.header).toBe(DIFF.split('\n').slice(0, 4).join('\n'));
  });

  it("keeps each of a merge's added lines in one unit: two parents' lines replaced by two merged lines (s38 rr)", () => {
    // The second parent's line paired with the second merged line brought the first one back alone:
    // asked "What host is used now?" at 0.8, `++  host: "prod.example.com",` was printed twice.
    const merge = [
      'diff --cc src/config.js',
      'index 1111111,2222222..3333333',
      '--- a/src/config.js',
      '+++ b/src/config.js',
      '@@@ -1,6 -1,6 +1,6 @@@',
      '  module.exports = {',
      '-   host: "staging.example.com",',
      ' -  port: 3000,',
      '++  host: "prod.example.com",',
      '++  port: 9000,',
      '    retries: 3,',
      '  };',
    ].join('\n');
    expect(parseMemory(merge).units.map((u) => u.text)).toEqual([
      '  module.exports = {',
      '-   host: "staging.example.com",\n++  host: "prod.example.com",',
      ' -  port: 3000,\n++  port: 9000,',
      '    retries: 3,',
      '  };',
    ]);
  });

  it('ranks the changed lines above the context lines, each in their own order', () => {
    const m = parseMemory(DIFF);
    const score = Float64Array.from([5, 1, 0, 4, 2]);
    rankDiffChanges(score, m);
    const order = [...score.keys()].sort((a, b) => (score[b] as number) - (score[a] as number));
    expect(order).toEqual([4, 1, 2, 0, 3]);
  });

  it('leaves the lines outside its files where their relevance puts them: a message, a chat quoting the diff', () => {
    // Ranked as context lines, a chat's turns around a diff it quotes all fell below every changed
    // line: "Why was the capture method changed?" kept the `+` line, never the turn saying why.
    const m = parseMemory(
      ['Alice: Here is my change:', DIFF, 'Bob: Why three days?', 'Alice: Support asked for it.'].join('\n'),
    );
    expect(m.diff).toBe(true);
    const why = m.units.findIndex((u) => u.text === 'Alice: Support asked for it.');
    const context = m.units.findIndex((u) => u.text === '         return Decimal("0")');
    const score = Float64Array.from(m.units, () => 0);
    score[why] = 9;
    rankDiffChanges(score, m);
    expect(score[why]).toBe(9);
    expect(Math.max(...score.filter((_, i) => i !== why))).toBeLessThan(9);
    expect(score[context]).toBeLessThan(0);
  });

  it('reads no fence line around a diff as a unit: kept alone, it opened a code block never closed', () => {
    // A pull request's text with the diff in a ```diff fence: "Who reviewed it?" kept its prose lines
    // and the fence's opening line, the rest of the output read as code.
    const m = parseMemory(['Reviewed by Priya on Friday.', '', '```diff', DIFF, '```'].join('\n'));
    expect(m.diff).toBe(true);
    expect(m.units.map((u) => u.text)).not.toContain('```diff');
    expect(m.units.map((u) => u.text)).not.toContain('```');
    expect(m.units[0]?.text).toBe('Reviewed by Priya on Friday.');
  });

  it('ranks first the lines of a file a question asks was deleted, added or renamed (its header says so)', () => {
    // Its header no unit, "Which file was deleted?" kept other files' lines, not the deleted one's.
    const text = [
      'diff --git a/logo.png b/logo.png',
      'index 1111111..2222222 100644',
      'Binary files a/logo.png and b/logo.png differ',
      'diff --git a/old.ts b/new.ts',
      'similarity index 100%',
      'rename from old.ts',
      'rename to new.ts',
      'diff --git a/gone.ts b/gone.ts',
      'deleted file mode 100644',
      'index 4444444..0000000',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      "-export const LEGACY_HOST = 'old.example.com';",
      '-export const LEGACY_PORT = 8443;',
    ].join('\n');
    const m = parseMemory(text);
    const best = (query: string) => {
      const score = Float64Array.from(m.units, (_, i) => -i / 10);
      rankFileEvents(score, m, query);
      return m.units[score.indexOf(maxOf(score))]?.text.split('\n')[0];
    };
    expect(best('Which file was deleted?')).toBe("-export const LEGACY_HOST = 'old.example.com';");
    expect(best('Which file was renamed?')).toBe('diff --git a/old.ts b/new.ts');
    // A question about lines, not files, is left to relevance.
    expect(best('Which line was deleted?')).toBe('diff --git a/logo.png b/logo.png');
    // Whole words only: "addresses" asks for no added file, "movie" for no moved one.
    expect(best('Which file addresses the movie player?')).toBe('diff --git a/logo.png b/logo.png');
  });

  it("shows a file's header short in the telegraphic style: its git line and a rename's", () => {
    expect(shortDiffHeader(DIFF.split('\n').slice(0, 4).join('\n'))).toBe(
      'diff --git a/billing/invoice.py b/billing/invoice.py',
    );
    const rename =
      'diff --git a/a.ts b/b.ts\nsimilarity index 90%\nrename from a.ts\nrename to b.ts\nindex 1..2\n--- a/a.ts\n+++ b/b.ts';
    expect(shortDiffHeader(rename)).toBe('diff --git a/a.ts b/b.ts\nrename from a.ts\nrename to b.ts');
    expect(shortDiffHeader('--- a.txt\n+++ b.txt')).toBeNull();
  });
});
