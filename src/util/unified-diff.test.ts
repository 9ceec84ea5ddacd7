import { describe, expect, it } from 'vitest';
import { isUnifiedDiff, parseUnifiedDiff } from './unified-diff.ts';

const DIFF = [
  'diff --git a/src/checkout/limits.ts b/src/checkout/limits.ts',
  'index 3f2a1c0..8b9d4e2 100644',
  '--- a/src/checkout/limits.ts',
  '+++ b/src/checkout/limits.ts',
  '@@ -1,4 +1,4 @@',
  ' /** Limits of one checkout. */',
  '-export const MAX_ITEMS = 50;',
  '+export const MAX_ITEMS = 100;',
  '',
  ' export const MAX_QUANTITY_PER_ITEM = 10;',
  'diff --git a/old.ts b/new.ts',
  'similarity index 100%',
  'rename from old.ts',
  'rename to new.ts',
].join('\n');

describe('parseUnifiedDiff (review s35 h3: a diff was read as prose)', () => {
  it('reads files, their headers and hunks by the counts of the hunk headers', () => {
    const d = parseUnifiedDiff(DIFF);
    expect(d?.files.map((f) => f.header.length)).toEqual([4, 4]);
    expect(d?.files[0]?.hunks[0]?.lines.map((l) => l.text)).toEqual([
      ' /** Limits of one checkout. */',
      '-export const MAX_ITEMS = 50;',
      '+export const MAX_ITEMS = 100;',
      '',
      ' export const MAX_QUANTITY_PER_ITEM = 10;',
    ]);
    // A rename without hunks is a file all the same.
    expect(d?.files[1]?.hunks).toEqual([]);
    expect(d?.preamble).toEqual([]);
  });

  it('reads a plain `diff -u`, a CRLF diff and a patch mail, and no prose with dashes in it', () => {
    const plain = '--- a.txt\t2024-01-01\n+++ b.txt\t2024-01-02\n@@ -1 +1 @@\n-one\n+two\n';
    expect(parseUnifiedDiff(plain)?.files[0]?.hunks[0]?.lines.map((l) => l.text)).toEqual(['-one', '+two']);
    expect(parseUnifiedDiff(DIFF.replace(/\n/g, '\r\n'))?.files[0]?.hunks[0]?.lines).toHaveLength(5);
    const mail = `Subject: [PATCH] Raise the item limit\n\n${DIFF}\n-- \n2.43.0\n`;
    expect(parseUnifiedDiff(mail)?.preamble.map((l) => l.text)).toEqual(['Subject: [PATCH] Raise the item limit']);
    expect(parseUnifiedDiff(mail)?.trailer.map((l) => l.text)).toEqual(['-- ', '2.43.0']);
    expect(isUnifiedDiff('Notes\n--- \nSee the diff below, @@ -1 is where it starts.\n- one\n+ two')).toBe(false);
    expect(isUnifiedDiff(`${'A line of prose.\n'.repeat(30)}${plain}`)).toBe(false);
    // Two patches: the second's message stays between the files; a git log with patches is a log.
    const two = parseUnifiedDiff(`${mail}Subject: [PATCH 2/2] Lower it\n${plain}`);
    expect(two?.files[2]?.before.map((l) => l.text)).toEqual(['-- ', '2.43.0', 'Subject: [PATCH 2/2] Lower it']);
    expect(two?.trailer).toEqual([]);
    // A patch mail (`git format-patch`) whose message and diffstat are longer than its change: a diff
    // still (read as prose, a `.patch` path said diff, and a query was not applied at all).
    const message = 'Support asked for larger carts: the limit was hit every week.\n'.repeat(6);
    const patch = `From 3f2a1c0e4b5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b Mon Sep 17 00:00:00 2001\nFrom: Dana <d@x.org>\nDate: Tue, 3 Sep 2024 10:12:00 +0200\nSubject: [PATCH] Raise it\n\n${message}---\n a.txt | 2 +-\n 1 file changed\n\n${plain}-- \n2.39.0\n`;
    expect(parseUnifiedDiff(patch)?.files[0]?.hunks[0]?.lines.map((l) => l.text)).toEqual(['-one', '+two']);
    expect(isUnifiedDiff(patch.replace(/^From [0-9a-f]+ .*\n/, ''))).toBe(true);
    // `git diff --binary`: its base85 data is no line outside the files (it had made the diff no diff).
    const binary = `diff --git a/x.bin b/x.bin\nnew file mode 100644\nindex 0000000..1234567\nGIT binary patch\nliteral 12\nTcmZ?wbhEHbR$^dY00\n\nliteral 0\nHcmV?d00001\n\n${plain}`;
    const read = parseUnifiedDiff(binary);
    expect(read?.files.map((f) => f.header.length)).toEqual([4, 2]);
    expect(read?.files[1]?.before).toEqual([]);
    expect(
      isUnifiedDiff(`commit 9f3c2a1d\nAuthor: Ines <i@x.org>\nDate:   Mon Oct 14 2024\n\n    Raise it\n\n${DIFF}`),
    ).toBe(false);
  });
});
