import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { ApiContext } from '../../api/index.ts';
import { createAppContext } from '../../app-context.ts';
import { type RunningBridge, startBridge } from '../../bridge/http-server.ts';
import { openProject, type Project } from '../../project.ts';

/**
 * The set-up most domain tests share: a project in a fresh temp folder with a real SQLite file,
 * closed and deleted afterwards. For tests only (the dependency rules keep it out of the app);
 * it sits in store/testing/ beside the crash harness because the project is the store's file.
 */
export interface TempProject {
  dir: string;
  project: Project;
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
  let current: TempProject | undefined;
  hooks(options)(
    () => {
      current = openTempProject(prefix);
      receive(current);
    },
    () => {
      if (current) closeTempProject(current);
      current = undefined;
    },
  );
}

/** As `setUpTempProject`, with `createAppContext` on top; the app is closed before the project. */
export function setUpTempApp(prefix: string, receive: (t: TempApp) => void, options: TempOptions = {}): void {
  let current: TempApp | undefined;
  hooks(options)(
    () => {
      const t = openTempProject(prefix);
      current = { ...t, app: createAppContext(t.project) };
      receive(current);
    },
    async () => {
      if (!current) return;
      const t = current;
      current = undefined;
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
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return { dir, project: openProject({ dir, create: true, env: {} }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function closeTempProject(t: TempProject): void {
  try {
    t.project.close();
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
}

function hooks(options: TempOptions): (open: () => void, close: () => void | Promise<void>) => void {
  return options.per === 'file'
    ? (open, close) => {
        beforeAll(open);
        afterAll(close);
      }
    : (open, close) => {
        beforeEach(open);
        afterEach(close);
      };
}
