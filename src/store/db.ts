import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3Constructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors/index.ts';
import { migrate } from './migrations.ts';

export type Db = Database;

/** Where a project keeps its database, relative to the project folder. */
export const DB_RELATIVE_PATH = join('data', 'studio.db');

export function projectDbPath(projectDir: string): string {
  return resolve(projectDir, DB_RELATIVE_PATH);
}

/**
 * How long a writer waits for another connection's write transaction before "database is locked".
 * An import commits a batch in well under a second; 10 s leaves room for a loaded machine. Waiting
 * only works for transactions that start IMMEDIATE when they read before writing (review/queue.ts).
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

const require = createRequire(import.meta.url);
let driver: typeof BetterSqlite3Constructor | undefined;

/** The native driver loads at the first open, not at import: `studio compress` on a text never opens one. */
function loadBetterSqlite3(): typeof BetterSqlite3Constructor {
  driver ??= require('better-sqlite3') as typeof BetterSqlite3Constructor;
  return driver;
}

/**
 * Opens (and migrates) one project database. One connection per process: WAL so the CLI can write
 * while the app reads, foreign keys on, and a busy timeout so two writers wait instead of failing.
 */
export function openDb(file: string, options: { create?: boolean; busyTimeoutMs?: number } = {}): Db {
  if (file !== ':memory:' && !existsSync(file)) {
    if (!options.create) {
      throw new StoreError(
        `No project database at ${file}. Run "studio init" in the project folder first (or pass --project).`,
      );
    }
    mkdirSync(dirname(file), { recursive: true });
  }
  let db: Database;
  try {
    db = new (loadBetterSqlite3())(file);
  } catch (cause) {
    throw new StoreError(`Cannot open the project database ${file}: ${String(cause)}`, { cause });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
  } catch (cause) {
    db.close();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`Cannot prepare the project database ${file}: ${String(cause)}`, { cause });
  }
  return db;
}
