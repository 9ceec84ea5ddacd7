import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { type Db, openDb } from '../store/db.ts';
import { listPairs } from '../store/pairs.ts';
import { getRun } from '../store/runs.ts';
import { countSources, listSources } from '../store/sources.ts';
import { setUpTempDb } from '../store/testing/project-fixture.ts';
import { exportJsonlFile } from './export.ts';
import { importPaths } from './import.ts';

const FIXTURES = join(import.meta.dirname, '__fixtures__');
const config = loadConfig().import;

let dir: string;
let db: Db;

setUpTempDb('studio-import-', (t) => ({ dir, db } = t));

describe('JSONL', () => {
  it('keeps every good line, names each bad one with its line number, and maps common fields', async () => {
    const file = join(FIXTURES, 'mixed.jsonl');
    const s = await importPaths(db, [file], { config });
    expect(s.records).toBe(5);
    expect(s.inserted).toBe(5);
    expect(s.pairsInserted).toBe(1);
    expect(s.issueCount).toBe(3);
    expect(s.issues.map((i) => i.line)).toEqual([5, 6, 7]);
    expect(s.issues[0]?.message).toMatch(/not valid JSON/);
    expect(s.issues[1]).toMatchObject({ field: 'body', message: 'expected text, got number' });
    expect(s.issues[2]?.message).toMatch(/no text field/);
    for (const issue of s.issues) expect(issue.file).toBe(file);

    const sources = listSources(db);
    const texts = sources.map((x) => x.text);
    expect(texts).toContain('The last good line survives the broken ones above it.');
    const chat = sources.find((x) => x.originRef === 'a3');
    expect(chat?.domain).toBe('chat');
    expect(chat?.text).toBe('user: What is the capital of Peru?\nassistant: Lima.');
    expect(sources.find((x) => x.originRef === 'a1')?.tags).toEqual(['notes']);

    const [pair] = listPairs(db);
    expect(pair).toMatchObject({ compressed: 'Invoice due 12 May.', strategy: 'manual', model: 'hand' });
  });

  it('is idempotent: importing the same file twice adds nothing', async () => {
    const file = join(FIXTURES, 'mixed.jsonl');
    await importPaths(db, [file], { config });
    const again = await importPaths(db, [file], { config });
    expect(again.inserted).toBe(0);
    expect(again.duplicates).toBe(5);
    expect(again.pairsInserted).toBe(0);
    expect(countSources(db)).toBe(5);
    expect(listPairs(db)).toHaveLength(1);
  });

  it('follows --map for nested fields and tags every record', async () => {
    const file = join(dir, 'nested.jsonl');
    writeFileSync(file, `${JSON.stringify({ article: { body: 'Nested body text here.' }, headline: 'H1' })}\n`);
    const s = await importPaths(db, [file], {
      config,
      mapping: { text: 'article.body', title: 'headline' },
      tags: ['news'],
    });
    expect(s.inserted).toBe(1);
    const [src] = listSources(db);
    expect(src).toMatchObject({ text: 'Nested body text here.', title: 'H1', tags: ['news'] });
  });

  it('writes in batches: a file larger than one batch keeps every record', async () => {
    const file = join(dir, 'many.jsonl');
    const lines = Array.from({ length: 2_345 }, (_, i) =>
      JSON.stringify({ text: `Record number ${i} says something.` }),
    );
    lines.splice(1_000, 0, '{oops');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const s = await importPaths(db, [file], { config: { ...config, batchSize: 100 } });
    expect(s.inserted).toBe(2_345);
    expect(s.issues).toEqual([expect.objectContaining({ line: 1_001 })]);
  });
});

describe('CSV', () => {
  it('reads quoted fields, reports a row with the wrong column count, and keeps the rows after it', async () => {
    const file = join(FIXTURES, 'notes.csv');
    const s = await importPaths(db, [file], { config });
    expect(s.inserted).toBe(3);
    expect(s.issueCount).toBe(1);
    expect(s.issues[0]).toMatchObject({ file, line: 4 });
    const texts = listSources(db).map((x) => x.text);
    expect(texts).toContain('Quoted, with a comma, and "quotes".');
    expect(texts).toContain('The row after a bad one is kept.');
  });
});

describe('LoCoMo and HumanEval shapes', () => {
  it('turns each conversation session into a chat source with its QA as metadata', async () => {
    const s = await importPaths(db, [join(FIXTURES, 'locomo-mini.json')], { config });
    expect(s.inserted).toBe(2);
    const [one, two] = listSources(db);
    expect(one?.domain).toBe('chat');
    expect(one?.title).toBe('conv-t1 session 1');
    expect(one?.text.split('\n')[0]).toBe('Session 1 (9:15 am on 3 March, 2024): Ada and Ben');
    expect(one?.text).toContain('Ada: At the community centre on Elm Street. [shares a photo: a photo of a clay bowl]');
    expect(one?.tags).toEqual(['conv-t1', 'locomo']);
    const qa = one?.metadata.qa as { question: string }[];
    expect(qa.map((q) => q.question)).toEqual(['When did Ada start pottery?', 'Where is the pottery class?']);
    expect(one?.metadata.diaIds).toEqual(['D1:1', 'D1:2', 'D1:3', 'D1:4']);
    expect(two?.metadata.qa).toHaveLength(2);
  });

  it("keeps one line per turn when a turn's text holds line breaks (its photo caption stays on its line)", async () => {
    // 13 turns of locomo-dev.json end in "\n\n": the caption was written on a line of its own, with
    // no speaker, which the query path then kept as an unattributed line.
    const file = join(dir, 'locomo-breaks.json');
    const turn = (dia: string, text: string, caption?: string) => ({
      speaker: 'Ada',
      dia_id: dia,
      text,
      ...(caption ? { blip_caption: caption } : {}),
    });
    const sample = {
      sample_id: 'conv-br',
      conversation: {
        speaker_a: 'Ada',
        speaker_b: 'Ben',
        session_1_date_time: '9:15 am on 3 March, 2024',
        session_1: [turn('D1:1', 'Look at this!\n\n', 'a photo of a kiln'), turn('D1:2', 'First line\nsecond line.')],
      },
      qa: [],
    };
    writeFileSync(file, JSON.stringify([sample]));
    await importPaths(db, [file], { config });
    const text = listSources(db).find((x) => x.title === 'conv-br session 1')?.text ?? '';
    expect(text.split('\n')).toEqual([
      'Session 1 (9:15 am on 3 March, 2024): Ada and Ben',
      'Ada: Look at this! [shares a photo: a photo of a kiln]',
      'Ada: First line second line.',
    ]);
  });

  it('turns HumanEval problems into Python code sources with their tests kept', async () => {
    const s = await importPaths(db, [join(FIXTURES, 'humaneval-mini.jsonl')], { config });
    expect(s.inserted).toBe(2);
    const [first] = listSources(db);
    expect(first).toMatchObject({ domain: 'code', language: 'python', format: 'humaneval', originRef: 'Test/0' });
    expect(first?.text).toContain('def add(a: int, b: int) -> int:');
    expect(first?.text).toContain('return a + b');
    expect(first?.metadata).toMatchObject({ entryPoint: 'add' });
    expect(first?.metadata.test).toContain('def check(candidate)');
  });

  it('reports a malformed JSON document with its line', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[\n {"text": "ok"},\n {"text": oops}\n]\n');
    const s = await importPaths(db, [file], { config });
    expect(s.inserted).toBe(0);
    expect(s.issues[0]).toMatchObject({ file, line: 3 });
  });
});

describe('files and folders', () => {
  it('imports a folder of code and docs, honouring nested .gitignore files', async () => {
    const root = join(dir, 'repo');
    mkdirSync(join(root, 'src', 'gen'), { recursive: true });
    mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(join(root, '.gitignore'), 'build/\n*.log\n');
    writeFileSync(join(root, 'src', '.gitignore'), 'gen/\n');
    writeFileSync(join(root, 'README.md'), '# Demo\n\nA small project used in tests.\n');
    writeFileSync(join(root, 'src', 'main.py'), 'def main():\n    return 1\n');
    writeFileSync(join(root, 'src', 'util.ts'), 'export const two = (): number => 2;\n');
    writeFileSync(join(root, 'src', 'gen', 'out.py'), 'x = 1\n');
    writeFileSync(join(root, 'build', 'bundle.js'), 'var a=1;\n');
    writeFileSync(join(root, 'debug.log'), 'noise\n');
    writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    writeFileSync(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
    writeFileSync(join(root, 'src', 'empty.py'), '   \n');

    const s = await importPaths(db, [root], { config });
    const titles = listSources(db).map((x) => x.originPath?.slice(root.length + 1));
    expect(titles.sort()).toEqual(['README.md', 'src/main.py', 'src/util.ts']);
    expect(listSources(db).find((x) => x.title === 'main.py')).toMatchObject({ domain: 'code', language: 'python' });
    expect(listSources(db).find((x) => x.title === 'util.ts')?.language).toBe('typescript');
    expect(s.skipped.map((x) => x.relative)).toEqual(['logo.png']);
    expect(s.issues).toEqual([expect.objectContaining({ message: 'the file is empty' })]);
  });

  it('reports a path that does not exist and goes on with the others', async () => {
    const s = await importPaths(db, [join(dir, 'missing.jsonl'), join(FIXTURES, 'humaneval-mini.jsonl')], { config });
    expect(s.issues[0]).toMatchObject({ message: 'no such file or folder' });
    expect(s.inserted).toBe(2);
  });

  it('fails the run when nothing was read and something was wrong, naming it (review)', async () => {
    // Review: importing a path that does not exist showed "Run 5 succeeded · 0 records ... 1 rejected".
    const missing = join(dir, 'does_not_exist.md');
    const s = await importPaths(db, [missing], { config });
    expect(getRun(db, s.runId)).toMatchObject({
      status: 'failed',
      error: `nothing imported: ${missing}: no such file or folder`,
    });
    // With something read, the run succeeded and its issues are listed.
    const some = await importPaths(db, [missing, join(FIXTURES, 'humaneval-mini.jsonl')], { config });
    expect(getRun(db, some.runId)?.status).toBe('succeeded');
  });

  it('reports a binary file and a file that is not UTF-8', async () => {
    writeFileSync(join(dir, 'bin.txt'), Buffer.from([1, 2, 0, 3]));
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const s = await importPaths(db, [join(dir, 'bin.txt'), join(dir, 'latin1.txt')], { config });
    // Where the bad byte is (review: "not UTF-8 text" alone, where a binary file's offset was given).
    expect(s.issues.map((i) => i.message)).toEqual([
      'binary, not text (a NUL byte at offset 2)',
      'not UTF-8 text (line 1: a byte 0xe9 at offset 3 is no UTF-8)',
    ]);
  });
});

describe('export', () => {
  it('writes pairs in the shape the importer reads back', async () => {
    await importPaths(db, [join(FIXTURES, 'mixed.jsonl')], { config });
    const out = join(dir, 'pairs.jsonl');
    expect(await exportJsonlFile(db, 'pairs', out)).toBe(1);
    const other = openDb(join(dir, 'other.db'), { create: true });
    try {
      const s = await importPaths(other, [out], { config });
      expect(s.inserted).toBe(1);
      expect(listPairs(other)[0]).toMatchObject({
        compressed: 'Invoice due 12 May.',
        strategy: 'manual',
        model: 'hand',
      });
    } finally {
      other.close();
    }
  });

  it('exports sources, labels and verdicts as JSON lines', async () => {
    await importPaths(db, [join(FIXTURES, 'mixed.jsonl')], { config });
    const [pair] = listPairs(db);
    db.prepare(
      `INSERT INTO labels (pair_id, labeler, decision, comment) VALUES (?, 'ana', 'reject', 'drops the date')`,
    ).run(pair?.id);
    db.prepare(
      `INSERT INTO verdicts (pair_id, model, method, outcome, score) VALUES (?, 'gpt', 'f1', 'equivalent', 0.9)`,
    ).run(pair?.id);
    const files = {
      sources: join(dir, 's.jsonl'),
      labels: join(dir, 'l.jsonl'),
      verdicts: join(dir, 'v.jsonl'),
      pairs: join(dir, 'p.jsonl'),
    };
    expect(await exportJsonlFile(db, 'sources', files.sources)).toBe(5);
    expect(await exportJsonlFile(db, 'labels', files.labels)).toBe(1);
    expect(await exportJsonlFile(db, 'verdicts', files.verdicts)).toBe(1);
    await exportJsonlFile(db, 'pairs', files.pairs);
    const { readFileSync } = await import('node:fs');
    const pairLine = JSON.parse(readFileSync(files.pairs, 'utf8').trim());
    expect(pairLine.labels).toEqual([
      expect.objectContaining({ labeler: 'ana', decision: 'reject', comment: 'drops the date' }),
    ]);
    expect(pairLine.verdicts).toEqual([expect.objectContaining({ model: 'gpt', outcome: 'equivalent', score: 0.9 })]);
    expect(JSON.parse(readFileSync(files.labels, 'utf8').trim())).toMatchObject({
      pairId: pair?.id,
      decision: 'reject',
    });
  });
});
