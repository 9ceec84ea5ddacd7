import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainingSystemPrompt } from '../contracts/compressor-prompt.ts';
import type { Domain } from '../contracts/source.ts';
import type { Project } from '../project.ts';
import { submitLabel } from '../review/queue.ts';
import { insertPairs } from '../store/pairs.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { exportDataset } from './dataset.ts';

let dir: string;
let project: Project;

setUpTempProject('studio-ds-', (t) => ({ dir, project } = t));

/** n sources of a domain, each with one pair, labelled as asked. */
function seed(
  domain: Domain,
  n: number,
  label: (i: number, pairId: number) => void = (_i, id) => approve(id),
): number[] {
  const texts = Array.from({ length: n }, (_v, i) => `${domain} source number ${i}: ${'some words here '.repeat(5)}`);
  const { ids } = insertSources(
    project.db,
    texts.map((text) => textSource(text, domain, { language: domain === 'code' ? 'python' : null })),
  );
  const pairs = insertPairs(
    project.db,
    ids.map((sourceId, i) => ({ sourceId, compressed: `${domain} ${i}: words`, strategy: 'manual' })),
  );
  for (const [i, id] of pairs.ids.entries()) label(i, id);
  return pairs.ids;
}
const approve = (pairId: number, labeler = 'ana') => submitLabel(project.db, { pairId, labeler, decision: 'approve' });

function read(file: string): { messages: { role: string; content: string }[] }[] {
  const body = readFileSync(join(dir, 'ds', file), 'utf8');
  return body
    ? body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
}

describe('dataset export', () => {
  it('writes chat JSONL of approved pairs, split by source and stratified by domain, with a manifest', async () => {
    seed('chat', 20);
    seed('code', 10);
    seed('nl', 2);
    const m = await exportDataset(project.db, { outDir: join(dir, 'ds') });
    const [train, valid, test] = ['train.jsonl', 'valid.jsonl', 'test.jsonl'].map(read);
    expect((train?.length ?? 0) + (valid?.length ?? 0) + (test?.length ?? 0)).toBe(32);
    // Stratified: each domain with enough sources has held-back examples in both splits.
    expect(m.splits.valid.byDomain).toEqual({ chat: 2, code: 1 });
    expect(m.splits.test.byDomain).toEqual({ chat: 2, code: 1 });
    expect(m.splits.train.byDomain).toEqual({ chat: 16, code: 8, nl: 2 });
    expect(m.warnings.join(' ')).toMatch(/nl: only 2 source\(s\)/);
    // The chat format with the versioned, domain-naming system prompt.
    const ex = train?.[0];
    expect(ex?.messages.map((x) => x.role)).toEqual(['system', 'user', 'assistant']);
    expect(ex?.messages[0]?.content).toMatch(/^You compress /);
    expect(valid?.some((e) => e.messages[0]?.content === trainingSystemPrompt('code'))).toBe(true);
    expect(m.promptVersion).toBe(1);
    expect(m.splits.train.tokensOriginal).toBeGreaterThan(m.splits.train.tokensCompressed);
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic, and an added source never moves an old one to another split', async () => {
    seed('chat', 30);
    const a = await exportDataset(project.db, { outDir: join(dir, 'ds') });
    const validBefore = new Set(read('valid.jsonl').map((e) => e.messages[1]?.content));
    const b = await exportDataset(project.db, { outDir: join(dir, 'ds') });
    expect(b.hash).toBe(a.hash);
    seed('code', 5);
    await exportDataset(project.db, { outDir: join(dir, 'ds') });
    const trainAfter = new Set(read('train.jsonl').map((e) => e.messages[1]?.content));
    for (const v of validBefore) expect(trainAfter.has(v)).toBe(false);
  });

  it('no source in two splits; rejected pairs out, edits in, duplicates once', async () => {
    const ids = seed('chat', 12, () => undefined);
    const [p0, p1, p2, p3] = ids as [number, number, number, number];
    approve(p0);
    submitLabel(project.db, { pairId: p1, labeler: 'ana', decision: 'reject', comment: 'drops a date' });
    submitLabel(project.db, { pairId: p2, labeler: 'ana', decision: 'edit', editedText: 'chat 2: edited by ana' });
    approve(p3);
    submitLabel(project.db, { pairId: p3, labeler: 'ben', decision: 'reject', comment: 'no' });
    submitLabel(project.db, { pairId: p3, labeler: 'cy', decision: 'reject', comment: 'no' });
    for (const id of ids.slice(4)) approve(id);
    // A second pair on source 0 with the same compression: a duplicate.
    const source0 = project.db.prepare('SELECT source_id FROM pairs WHERE id = ?').pluck().get(p0) as number;
    const dup = insertPairs(project.db, [{ sourceId: source0, compressed: 'chat 0: words', strategy: 'other' }])
      .ids[0] as number;
    approve(dup);
    // And a second, different approved pair on the same source: same split as the first.
    const other = insertPairs(project.db, [{ sourceId: source0, compressed: 'chat 0: fewer', strategy: 'other' }])
      .ids[0] as number;
    approve(other);

    const m = await exportDataset(project.db, { outDir: join(dir, 'ds') });
    const all = ['train.jsonl', 'valid.jsonl', 'test.jsonl'].map((f) => ({ f, rows: read(f) }));
    const answers = all.flatMap((s) => s.rows.map((e) => e.messages[2]?.content));
    expect(answers).toContain('chat 2: edited by ana');
    expect(answers).not.toContain('chat 1: words'); // rejected
    expect(answers).not.toContain('chat 3: words'); // one approval, two rejections
    expect(answers.filter((a) => a === 'chat 0: words')).toHaveLength(1);
    expect(m.duplicatesRemoved).toBe(1);
    const splitOf = new Map<string, string>();
    for (const s of all)
      for (const e of s.rows) {
        const src = e.messages[1]?.content ?? '';
        expect(splitOf.get(src) ?? s.f).toBe(s.f);
        splitOf.set(src, s.f);
      }
  });

  it('refuses to export nothing, saying what to do', async () => {
    seed('chat', 3, () => undefined);
    await expect(exportDataset(project.db, { outDir: join(dir, 'ds') })).rejects.toThrow(/approve \(or edit\) pairs/);
  });
});
