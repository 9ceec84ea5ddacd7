import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigJsonl } from '../review/__fixtures__/big-jsonl.ts';
import type { Db } from './db.ts';
import { fingerprint, integrity, killMidway, studio } from './testing/crash-harness.ts';

// Issue 12: kill -9 during `studio import` and during `studio compress --all`, then the database
// must pass PRAGMA integrity_check, and an exact rerun must end with the same rows as a run that
// was never interrupted.
const IMPORT_RECORDS = 50_000;
const COMPRESS_RECORDS = 1_500;

let work: string;
let importCorpus: string;
let compressCorpus: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'studio-crash-'));
  importCorpus = join(work, 'import.jsonl');
  compressCorpus = join(work, 'compress.jsonl');
  await writeBigJsonl(importCorpus, IMPORT_RECORDS, 'imp');
  await writeBigJsonl(compressCorpus, COMPRESS_RECORDS, 'cmp', true);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const count = (table: 'sources' | 'pairs') => (db: Db) =>
  (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) > 0;

describe('kill -9 and rerun', () => {
  it('during `studio import`: integrity ok, and the rerun ends with the rows of an uninterrupted import', async () => {
    const clean = join(work, 'clean-import');
    const crashed = join(work, 'crashed-import');
    for (const d of [clean, crashed]) expect(studio(d, ['init']).code).toBe(0);
    expect(studio(clean, ['import', importCorpus]).code).toBe(0);
    const expected = fingerprint(clean);
    expect(expected.sources).toBe(IMPORT_RECORDS);

    await killMidway(crashed, ['import', importCorpus], count('sources'));
    expect(integrity(crashed)).toBe('ok');
    const partial = fingerprint(crashed).sources;
    expect(partial).toBeLessThan(IMPORT_RECORDS);
    const rerun = studio(crashed, ['import', importCorpus]);
    expect(rerun.code, rerun.out).toBe(0);
    expect(integrity(crashed)).toBe('ok');
    expect(fingerprint(crashed)).toEqual(expected);
  }, 600_000);

  it('during `studio compress --all`: integrity ok, and the rerun ends with the pairs of an uninterrupted run', async () => {
    const clean = join(work, 'clean-compress');
    const crashed = join(work, 'crashed-compress');
    for (const d of [clean, crashed]) {
      expect(studio(d, ['init']).code).toBe(0);
      expect(studio(d, ['import', compressCorpus]).code).toBe(0);
    }
    const run = studio(clean, ['compress', '--all']);
    expect(run.code, run.out).toBe(0);
    const expected = fingerprint(clean);
    expect(expected.pairs).toBe(COMPRESS_RECORDS);

    await killMidway(crashed, ['compress', '--all'], count('pairs'));
    expect(integrity(crashed)).toBe('ok');
    expect(fingerprint(crashed).pairs).toBeLessThan(COMPRESS_RECORDS);
    const rerun = studio(crashed, ['compress', '--all']);
    expect(rerun.code, rerun.out).toBe(0);
    expect(integrity(crashed)).toBe('ok');
    expect(fingerprint(crashed)).toEqual(expected);
  }, 600_000);
});
