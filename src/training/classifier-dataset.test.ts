import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '../project.ts';
import { submitLabel } from '../review/queue.ts';
import { insertPairs } from '../store/pairs.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { exportClassifierDataset } from './classifier-dataset.ts';
import { alignCompression } from './classifier-labels.ts';

describe('alignment labels', () => {
  it('labels an extractive pair exactly, picking the occurrence the next kept word follows', () => {
    const a = alignCompression('the dog saw the cat on the mat today', 'saw the cat mat');
    expect(a.extractive).toBe(true);
    expect(a.unmatchedShare).toBe(0);
    expect(a.words).toEqual(['the', 'dog', 'saw', 'the', 'cat', 'on', 'the', 'mat', 'today']);
    expect(Array.from(a.labels)).toEqual([0, 0, 1, 1, 1, 0, 0, 1, 0]);
  });

  it('keeps dialogue lines word for word (speaker labels are words too)', () => {
    const a = alignCompression(
      'Caroline: Hey Mel! I went to the LGBTQ support group yesterday.\nMelanie: Wow, that is great!',
      'Caroline: went LGBTQ support group yesterday.\nMelanie: great!',
    );
    expect(a.extractive).toBe(true);
    expect(a.words.filter((_w, i) => a.labels[i])).toEqual([
      'Caroline:',
      'went',
      'LGBTQ',
      'support',
      'group',
      'yesterday.',
      'Melanie:',
      'great!',
    ]);
  });

  it('aligns an abstractive pair greedily on normalised words and records what found no match', () => {
    const a = alignCompression(
      'Melanie said that she had been painting a sunrise over the lake last week.',
      'Melanie painted sunrise over lake, last week',
    );
    expect(a.extractive).toBe(false);
    // "painted" is the only word of seven with no match ("lake," ~ "lake.", case and punctuation aside).
    expect(a.unmatchedShare).toBeCloseTo(1 / 7, 5);
    expect(a.words.filter((_w, i) => a.labels[i])).toEqual(['Melanie', 'sunrise', 'over', 'lake', 'last', 'week.']);
  });

  it('finds almost nothing for a rewrite', () => {
    const a = alignCompression('I adopted two rescue cats in March.', 'Pet owner; felines acquired in spring');
    expect(a.extractive).toBe(false);
    expect(a.unmatchedShare).toBeGreaterThan(0.8);
  });
});

describe('classifier dataset', () => {
  let dir: string;
  let project: Project;
  setUpTempProject('studio-clf-ds-', (t) => ({ dir, project } = t));

  it('writes one label per original word, split by source, leaves out pairs that align badly, and says why', () => {
    const texts = Array.from(
      { length: 12 },
      (_v, i) => `Caroline: I went to the support group number ${i} yesterday and it was really powerful.`,
    );
    const { ids } = insertSources(
      project.db,
      [...texts, 'def f(x):\n    return x  # code never goes to the classifier'].map((t, i) =>
        textSource(t, i < 12 ? 'chat' : 'code', { language: i < 12 ? null : 'python' }),
      ),
    );
    const chat = ids.slice(0, 12);
    const pairs = insertPairs(project.db, [
      // Extractive candidates of `pruned` (unlabelled: included because pruned is asked for).
      ...chat.slice(0, 10).map((sourceId, i) => ({
        sourceId,
        compressed: `Caroline: went support group number ${i} yesterday powerful.`,
        strategy: 'pruned',
      })),
      // An approved abstractive pair, and an approved rewrite that aligns badly.
      {
        sourceId: chat[10] as number,
        compressed: 'Caroline went to support group 10 yesterday; powerful',
        strategy: 'manual',
      },
      { sourceId: chat[11] as number, compressed: 'Attendee of a peer meeting found it moving', strategy: 'manual' },
      // A rules candidate: not asked for, not approved.
      {
        sourceId: chat[0] as number,
        compressed: 'Caroline: I went to the support group number 0 yesterday.',
        strategy: 'rules',
      },
      // Code, approved: never given to the classifier.
      { sourceId: ids[12] as number, compressed: 'def f(x):\n    return x', strategy: 'manual' },
    ]);
    for (const id of pairs.ids.slice(10, 12))
      submitLabel(project.db, { pairId: id, labeler: 'ana', decision: 'approve' });
    submitLabel(project.db, { pairId: pairs.ids[13] as number, labeler: 'ana', decision: 'approve' });

    const m = exportClassifierDataset(project.db, { outDir: join(dir, 'ds'), strategies: ['pruned'] });
    expect(m.pairsConsidered).toBe(12);
    expect(m.extractive).toBe(10);
    expect(m.abstractive).toBe(1);
    expect(m.leftOut).toHaveLength(1);
    expect(m.leftOut[0]?.pairId).toBe(pairs.ids[11]);
    expect(m.leftOut[0]?.reason).toMatch(/match nothing in the original/);
    const read = (s: string) =>
      readFileSync(join(dir, 'ds', `${s}.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { source: string; words: string[]; labels: number[] });
    const splits = ['train', 'valid', 'test'].map(read);
    expect(splits.flat()).toHaveLength(11);
    expect(splits[1]?.length).toBeGreaterThan(0);
    expect(splits[2]?.length).toBeGreaterThan(0);
    // No source in two splits.
    const sourceSets = splits.map((rows) => new Set(rows.map((r) => r.source)));
    for (const s of sourceSets[0] ?? []) expect(sourceSets[1]?.has(s) || sourceSets[2]?.has(s)).toBe(false);
    for (const r of splits.flat()) {
      expect(r.labels).toHaveLength(r.words.length);
      expect(r.words[0]).toBe('Caroline:');
    }
    // Deterministic: the same pairs give the same bytes.
    const again = exportClassifierDataset(project.db, { outDir: join(dir, 'ds2'), strategies: ['pruned'] });
    expect(again.hash).toBe(m.hash);
    const manifest = JSON.parse(readFileSync(join(dir, 'ds', 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('token-classifier');
  });
});
