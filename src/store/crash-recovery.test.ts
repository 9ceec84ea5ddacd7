import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigJsonl } from '../review/__fixtures__/big-jsonl.ts';
import { type Db, openDb, projectDbPath } from './db.ts';

// Issue 12: kill -9 during `studio import` and during `studio compress --all`, then the database
// must pass PRAGMA integrity_check, and an exact rerun must end with the same rows as a run that
// was never interrupted.
const ROOT = resolve(import.meta.dirname, '..', '..');
const IMPORT_RECORDS = 50_000;
const COMPRESS_RECORDS = 1_500;

let work: string;
let importCorpus: string;
let compressCorpus: string;

function studio(dir: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/studio.js', ...args, '--project', dir], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Starts a CLI command and kill -9s it once `ready` says it has written part of its work. */
async function killMidway(dir: string, args: string[], ready: (db: Db) => boolean): Promise<{ killedAt: string }> {
  const child: ChildProcess = spawn(process.execPath, ['bin/studio.js', ...args, '--project', dir], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  exited.then(() => {
    done = true;
  });
  const db = openDb(projectDbPath(dir));
  try {
    for (;;) {
      if (done) throw new Error(`"studio ${args.join(' ')}" finished before it could be killed: make the input larger`);
      if (ready(db)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    return { killedAt: new Date().toISOString() };
  } finally {
    db.close();
  }
}

function fingerprint(dir: string): { sources: number; pairs: number; sourcesHash: string; pairsHash: string } {
  const db = openDb(projectDbPath(dir));
  try {
    const hash = (rows: unknown[]) => createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    const sources = db
      .prepare(
        `SELECT s.hash, s.domain, s.language, s.format, s.title, s.origin_path, s.origin_ref, s.metadata, s.chars,
           (SELECT group_concat(tag, ',') FROM (SELECT tag FROM source_tags t WHERE t.source_id = s.id ORDER BY tag)) AS tags
         FROM sources s ORDER BY s.hash`,
      )
      .raw()
      .all();
    const pairs = db
      .prepare(
        `SELECT s.hash, p.strategy, p.params_hash, p.model, p.compressed_hash, p.tokens_original, p.tokens_compressed
         FROM pairs p JOIN sources s ON s.id = p.source_id ORDER BY 1, 2, 3, 4, 5`,
      )
      .raw()
      .all();
    return { sources: sources.length, pairs: pairs.length, sourcesHash: hash(sources), pairsHash: hash(pairs) };
  } finally {
    db.close();
  }
}

function integrity(dir: string): string {
  const db = openDb(projectDbPath(dir));
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

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
