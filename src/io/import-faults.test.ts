import { spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { Db } from '../store/db.ts';
import { countSources, listSources } from '../store/sources.ts';
import { setUpTempDb } from '../store/testing/project-fixture.ts';
import { importPaths } from './import.ts';

// Finding 6 and 7 of issue 12: one bad record or file must cost only itself, and say where it is.
const config = loadConfig().import;

let dir: string;
let db: Db;

setUpTempDb('studio-import-faults-', (t) => ({ dir, db } = t));

const goodLines = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}`, text: `${prefix} record number ${i}.` }));

describe('records that cannot be stored', () => {
  it('rejects a record nested 20,000 levels deep by file and line, and stores every other record of both files', async () => {
    const deep = `{"text":"deep one","extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${[...goodLines('a', 900), deep, ...goodLines('b', 500)].join('\n')}\n`);
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, `${goodLines('c', 960).join('\n')}\n`);
    const s = await importPaths(db, [bad, other], { config });
    expect(s.issueCount).toBe(1);
    expect(s.issues[0]).toMatchObject({ file: bad, line: 901, field: 'extra' });
    expect(s.issues[0]?.message).toMatch(/nested deeper than/);
    expect(s.inserted).toBe(900 + 500 + 960);
    expect(countSources(db)).toBe(2360);
  });

  it('a record the store refuses costs only that record, not its batch', async () => {
    // With the mapper's depth limit out of reach, the deep record reaches the store, whose
    // JSON.stringify overflows the stack: the batch fallback must keep the other 20 records.
    const loose = { ...config, maxDepth: 1_000_000 };
    const deep = `{"text":"deep one","extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, `${[...goodLines('a', 10), deep, ...goodLines('b', 10)].join('\n')}\n`);
    const s = await importPaths(db, [file], { config: loose });
    expect(s.issueCount).toBe(1);
    expect(s.issues[0]).toMatchObject({ file, line: 11 });
    expect(s.issues[0]?.message).toMatch(/cannot be stored/);
    expect(s.inserted).toBe(20);
    expect(s.files[0]).toMatchObject({ records: 20, inserted: 20, issues: 1 });
  });

  it('rejects a JSONL line above maxRecordBytes by line and keeps the lines after it', async () => {
    const file = join(dir, 'long.jsonl');
    const long = JSON.stringify({ text: 'x'.repeat(5000) });
    writeFileSync(file, `${[goodLines('a', 2)[0], long, goodLines('b', 2)[1]].join('\n')}\n`);
    const s = await importPaths(db, [file], { config: { ...config, maxRecordBytes: 1000 } });
    expect(s.issues).toEqual([{ file, line: 2, message: expect.stringMatching(/longer than 1000 bytes/) }]);
    expect(s.inserted).toBe(2);
  });
});

describe('invalid UTF-8 is reported, never turned into U+FFFD', () => {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: 0xE9 alone is not UTF-8

  it('in JSONL, by line', async () => {
    const file = join(dir, 'latin1.jsonl');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('{"text":"first line"}\n{"text":"'),
        latin1,
        Buffer.from('"}\n{"text":"third line, with a real \uFFFD in it"}\n'),
      ]),
    );
    const s = await importPaths(db, [file], { config });
    expect(s.issues).toEqual([{ file, line: 2, message: expect.stringMatching(/not valid UTF-8/) }]);
    expect(listSources(db).map((x) => x.text)).toEqual(['first line', 'third line, with a real \uFFFD in it']);
  });

  it('in CSV, by line, including a quoted field that spans lines', async () => {
    const file = join(dir, 'latin1.csv');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('id,text\n1,good one\n2,"spans\n'), latin1, Buffer.from('"\n3,good three\n')]),
    );
    const s = await importPaths(db, [file], { config });
    expect(s.issues).toEqual([{ file, line: 4, message: 'not valid UTF-8' }]);
    expect(listSources(db).map((x) => x.text)).toEqual(['good one', 'good three']);
  });

  it('in a CSV header (the rows are still read), and in a whole JSON document', async () => {
    const csv = join(dir, 'header.csv');
    writeFileSync(
      csv,
      Buffer.concat([Buffer.from('id,text,note'), latin1, Buffer.from('\n1,row one,x\n2,row two,y\n')]),
    );
    const json = join(dir, 'doc.json');
    writeFileSync(json, Buffer.concat([Buffer.from('[{"text":"'), latin1, Buffer.from('"}]')]));
    const s = await importPaths(db, [csv, json], { config });
    expect(s.issues).toEqual([
      { file: csv, line: 1, message: 'header row is not valid UTF-8' },
      { file: json, message: 'not UTF-8 text (line 1: a byte 0xe9 at offset 13 is no UTF-8)' },
    ]);
    expect(listSources(db).map((x) => x.text)).toEqual(['row one', 'row two']);
  });
});

describe('empty files, quotes and unknown types', () => {
  it('names an empty .jsonl and an empty .csv in the summary', async () => {
    const jsonl = join(dir, 'empty.jsonl');
    const csv = join(dir, 'empty.csv');
    const headerOnly = join(dir, 'header.csv');
    writeFileSync(jsonl, '\n\n');
    writeFileSync(csv, '');
    writeFileSync(headerOnly, 'id,text\n');
    const s = await importPaths(db, [jsonl, csv, headerOnly], { config });
    expect(s.issues).toEqual([
      { file: jsonl, message: expect.stringMatching(/empty/) },
      { file: csv, message: expect.stringMatching(/empty/) },
      { file: headerOnly, message: 'no rows after the header' },
    ]);
  });

  it('`studio import` of empty files names each one and exits 1 (nothing was imported)', () => {
    const jsonl = join(dir, 'empty.jsonl');
    const csv = join(dir, 'empty.csv');
    writeFileSync(jsonl, '');
    writeFileSync(csv, '');
    const studio = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/studio.js', ...args, '--project', join(dir, 'project')], {
        cwd: resolve(import.meta.dirname, '..', '..'),
        encoding: 'utf8',
      });
    expect(studio('init').status).toBe(0);
    const r = studio('import', jsonl, csv);
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(1);
    expect(out).toContain(`${jsonl}: the file is empty`);
    expect(out).toContain(`${csv}: the file is empty`);
  });

  it('reports an unclosed CSV quote at the line where it opens', async () => {
    const file = join(dir, 'quote.csv');
    writeFileSync(file, 'id,text\n1,"ok"\n\n2,"two\nlines"\n3,"never closed\nfour\nfive\n');
    const s = await importPaths(db, [file], { config });
    expect(s.issues).toEqual([{ file, line: 6, message: 'a quote opened on line 6 is never closed' }]);
    expect(s.inserted).toBe(2);
  });

  it('sniffs an unknown extension from its head and streams it; a 600 MB .dat is one issue, not an aborted import', async () => {
    const jsonlish = join(dir, 'records.dat');
    writeFileSync(jsonlish, `${goodLines('d', 3).join('\n')}\n`);
    const huge = join(dir, 'huge.dat');
    writeFileSync(huge, '');
    truncateSync(huge, 600 * 1024 * 1024); // sparse: costs no disk
    const binary = join(dir, 'small.dat');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1]));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${goodLines('e', 4).join('\n')}\n`);
    const s = await importPaths(db, [jsonlish, huge, binary, good], { config });
    expect(s.files.find((f) => f.file === jsonlish)).toMatchObject({ format: 'jsonl', inserted: 3 });
    expect(s.issues).toEqual([
      { file: huge, message: expect.stringMatching(/too large/) },
      { file: binary, message: expect.stringMatching(/binary/) },
    ]);
    expect(s.inserted).toBe(7);
  });
});
