import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './config.ts';
import type { StudioConfig } from './contracts/config.ts';
import { type Db, openDb, projectDbPath } from './store/db.ts';
import { createTokenCounter, type TokenCounter } from './tokenizers/index.ts';

/** An open project: its folder, its database, its config and a token counter bound to both. */
export interface Project {
  dir: string;
  dbPath: string;
  db: Db;
  config: StudioConfig;
  tokens: TokenCounter;
  close(): void;
}

export interface OpenProjectOptions {
  dir: string;
  create?: boolean;
  config?: StudioConfig;
  env?: Readonly<Record<string, string | undefined>>;
}

export function projectExists(dir: string): boolean {
  return existsSync(projectDbPath(dir));
}

export function openProject(options: OpenProjectOptions): Project {
  const dir = resolve(options.dir);
  const dbPath = projectDbPath(dir);
  const config = options.config ?? loadConfig();
  const db = openDb(dbPath, { create: options.create ?? false });
  const tokens = createTokenCounter({ config: config.tokenizers, db, ...(options.env ? { env: options.env } : {}) });
  return {
    dir,
    dbPath,
    db,
    config,
    tokens,
    close: () => db.close(),
  };
}
