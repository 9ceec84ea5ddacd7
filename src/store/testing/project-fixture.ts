import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { ApiContext } from '../../api/index.ts';
import { createAppContext } from '../../app-context.ts';
import { type RunningBridge, startBridge } from '../../bridge/http-server.ts';
import { openProject, type Project } from '../../project.ts';
import { type Db, openDb } from '../db.ts';

/**
 * The set-up most domain tests share: a project in a fresh temp folder with a real SQLite file,
 * closed and deleted afterwards. For tests only (the dependency rules keep it out of the app);
 * it sits in store/testing/ beside the crash harness because the project is the store's file.
 */
export interface TempProject {
  dir: string;
  project: Project;
}

/** A bare database file (`dir/studio.db`, migrated) for tests below the project: importers, providers. */
export interface TempDb {
  dir: string;
  db: Db;
}

/** A temp project and the app context a front end holds for it (API context, jobs, event bus). */
export interface TempApp extends TempProject {
  app: ReturnType<typeof createAppContext>;
}

export interface TempOptions {
  /** `each` (default): a new project for every test; `file`: one for the whole file. */
  per?: 'each' | 'file';
}

/**
 * Registers the hooks that open a temp project before each test (or once) and close it after,
 * and hands each new one to `receive`, so a test file keeps its own `dir` and `project` names:
 * `setUpTempProject('studio-ds-', (t) => ({ dir, project } = t));`.
 */
export function setUpTempProject(prefix: string, receive: (t: TempProject) => void, options: TempOptions = {}): void {
  setUp(options, () => openTempProject(prefix), receive, closeTempProject);
}

/** As `setUpTempProject`, for a bare database: `setUpTempDb('studio-import-', (t) => ({ dir, db } = t));`. */
export function setUpTempDb(prefix: string, receive: (t: TempDb) => void, options: TempOptions = {}): void {
  setUp(
    options,
    () => inTempDir(prefix, (dir) => ({ dir, db: openDb(join(dir, 'studio.db'), { create: true }) })),
    receive,
    (t) => removeAfter(t.dir, () => t.db.close()),
  );
}

/** As `setUpTempProject`, with `createAppContext` on top; the app is closed before the project. */
export function setUpTempApp(prefix: string, receive: (t: TempApp) => void, options: TempOptions = {}): void {
  setUp(
    options,
    () => {
      const t = openTempProject(prefix);
      return { ...t, app: createAppContext(t.project) };
    },
    receive,
    async (t) => {
      try {
        await t.app.close();
      } finally {
        closeTempProject(t);
      }
    },
  );
}

/**
 * The HTTP bridge on a free loopback port for a test's app, serving a one-line index.html from
 * `dir/static` and taking uploads into `dir/uploads`; the caller closes it.
 */
export async function startTestBridge(ctx: ApiContext, dir: string, token: string): Promise<RunningBridge> {
  const staticDir = join(dir, 'static');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  return startBridge({ ctx, port: 0, staticDir, uploadDir: join(dir, 'uploads'), token });
}

function openTempProject(prefix: string): TempProject {
  return inTempDir(prefix, (dir) => ({ dir, project: openProject({ dir, create: true, env: {} }) }));
}

function closeTempProject(t: TempProject): void {
  removeAfter(t.dir, () => t.project.close());
}

/** Makes a temp folder and opens something in it; the folder goes again if opening throws. */
function inTempDir<T>(prefix: string, open: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return open(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Closes, then deletes the folder even when closing throws. */
function removeAfter(dir: string, close: () => void): void {
  try {
    close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens before each test (or once for the file), hands the new one to `receive`, closes after. */
function setUp<T>(
  options: TempOptions,
  open: () => T,
  receive: (t: T) => void,
  close: (t: T) => void | Promise<void>,
): void {
  let current: T | undefined;
  const before = () => {
    current = open();
    receive(current);
  };
  const after = async () => {
    if (current === undefined) return;
    const t = current;
    current = undefined;
    await close(t);
  };
  if (options.per === 'file') {
    beforeAll(before);
    afterAll(after);
  } else {
    beforeEach(before);
    afterEach(after);
  }
}
