import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/index.ts';
import { openDb } from './db.ts';
import { migrate, migrations } from './migrations.ts';
import { insertPairs, listPairs } from './pairs.ts';
import { createRun, finishRun, getRun } from './runs.ts';
import { getSource, insertSources, listSources } from './sources.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = (text: string, tags: string[] = []) => ({
  text,
  domain: 'nl' as const,
  language: null,
  format: 'text' as const,
  title: null,
  originPath: 'test',
  originRef: null,
  metadata: { n: 1 },
  tags,
});

describe('openDb', () => {
  it('creates the file, applies every migration, and sets WAL and foreign keys', () => {
    const file = join(dir, 'data', 'studio.db');
    const db = openDb(file, { create: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = db.prepare('SELECT version FROM schema_migrations').pluck().all();
    expect(applied).toEqual(migrations.map((m) => m.version));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const t of [
      'sources',
      'pairs',
      'probes',
      'answers',
      'verdicts',
      'labels',
      'runs',
      'response_cache',
      'costs',
      'token_counts',
    ]) {
      expect(tables).toContain(t);
    }
    db.close();
    // Reopening applies nothing new.
    const again = openDb(file);
    expect(migrate(again, file)).toBe(0);
    again.close();
  });

  it('refuses to create a project unless asked, with a message that says what to run', () => {
    expect(() => openDb(join(dir, 'nope.db'))).toThrow(/studio init/);
  });

  it('refuses a database written by a newer version', () => {
    const file = join(dir, 'newer.db');
    openDb(file, { create: true }).close();
    const raw = new BetterSqlite3(file);
    raw.prepare("INSERT INTO schema_migrations (version, name) VALUES (999, 'from-the-future')").run();
    raw.close();
    expect(() => openDb(file)).toThrow(StoreError);
    expect(() => openDb(file)).toThrow(/migration 999.*newer version/);
  });

  it('refuses a history whose migration names differ', () => {
    const file = join(dir, 'renamed.db');
    openDb(file, { create: true }).close();
    const raw = new BetterSqlite3(file);
    raw.prepare("UPDATE schema_migrations SET name = 'other' WHERE version = 1").run();
    raw.close();
    expect(() => openDb(file)).toThrow(/refusing to guess/);
  });

  it('rolls back a migration that fails, leaving the database usable at the last good version', () => {
    const file = join(dir, 'failing.db');
    openDb(file, { create: true }).close();
    const raw = new BetterSqlite3(file);
    // Versions may have gaps (each issue owns its number): the next one is past the highest.
    const next = Math.max(...migrations.map((m) => m.version)) + 1;
    const bad = [...migrations, { version: next, name: 'broken', sql: 'CREATE TABLE t2 (x); THIS IS NOT SQL;' }];
    expect(() => migrate(raw, file, bad)).toThrow();
    expect(raw.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(next - 1);
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't2'").pluck().get()).toBe(0);
    raw.close();
  });
});

describe('sources and pairs', () => {
  it('stores a text once however often it is inserted, and merges new tags', () => {
    const db = openDb(join(dir, 's.db'), { create: true });
    const first = insertSources(db, [source('alpha', ['a']), source('beta'), source('alpha', ['b'])]);
    expect(first).toMatchObject({ inserted: 2, duplicates: 1, fresh: [true, true, false] });
    expect(first.ids[0]).toBe(first.ids[2]);
    expect(getSource(db, first.ids[0] as number)?.tags).toEqual(['a', 'b']);
    expect(listSources(db, { search: 'ALPH' })).toHaveLength(1);
    db.close();
  });

  it('keys pairs by source, strategy, params, model and text, and deletes them with their source', () => {
    const db = openDb(join(dir, 'p.db'), { create: true });
    const [id] = insertSources(db, [source('the original text')]).ids;
    const pair = { sourceId: id as number, compressed: 'orig text', strategy: 'rules', params: { b: 1, a: 2 } };
    expect(insertPairs(db, [pair]).inserted).toBe(1);
    // Same params in another key order: the same pair.
    expect(insertPairs(db, [{ ...pair, params: { a: 2, b: 1 } }]).duplicates).toBe(1);
    expect(insertPairs(db, [{ ...pair, model: 'm' }]).inserted).toBe(1);
    expect(listPairs(db, { sourceId: id as number })).toHaveLength(2);
    db.prepare('DELETE FROM sources WHERE id = ?').run(id);
    expect(listPairs(db)).toHaveLength(0);
    db.close();
  });

  it('rejects a pair whose source does not exist, and a reject label without a comment', () => {
    const db = openDb(join(dir, 'fk.db'), { create: true });
    expect(() => insertPairs(db, [{ sourceId: 42, compressed: 'x', strategy: 'rules' }])).toThrow(/FOREIGN KEY/);
    const [id] = insertSources(db, [source('text')]).ids;
    const [pairId] = insertPairs(db, [{ sourceId: id as number, compressed: 't', strategy: 'rules' }]).ids;
    expect(() =>
      db.prepare("INSERT INTO labels (pair_id, labeler, decision) VALUES (?, 'ana', 'reject')").run(pairId),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('records runs with status, progress and summary', () => {
    const db = openDb(join(dir, 'r.db'), { create: true });
    const id = createRun(db, 'import', { paths: ['x'] }, 10);
    expect(getRun(db, id)).toMatchObject({ kind: 'import', status: 'running', total: 10, done: 0 });
    finishRun(db, id, 'succeeded', { inserted: 3 });
    expect(getRun(db, id)).toMatchObject({ status: 'succeeded', summary: { inserted: 3 } });
    expect(getRun(db, id)?.finishedAt).toBeTruthy();
    db.close();
  });
});
