import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext } from '../app-context.ts';
import { openProject } from '../project.ts';
import { type Db, openDb } from './db.ts';
import { failAbandonedRuns, processAlive, stopHeartbeat, thisProcess } from './run-liveness.ts';
import { createRun, finishRun, getRun } from './runs.ts';

// Issue 12, finding 9: opening the app failed a CLI run that was still working, and a CLI run
// killed with -9 stayed "running" until `studio serve` next opened the project.
const ROOT = resolve(import.meta.dirname, '..', '..');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-liveness-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function studio(args: string[], env: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/studio.js', ...args, '--project', dir], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('a run from another process', () => {
  it('is left running while its CLI process lives, and failed by `studio runs` once it is killed -9', async () => {
    const project = openProject({ dir, create: true, env: {} });
    // The import reads from a FIFO the test holds open: a real CLI run that lives as long as we like.
    const fifo = join(dir, 'slow.jsonl');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child: ChildProcess = spawn(process.execPath, ['bin/studio.js', 'import', fifo, '--project', dir], {
      cwd: ROOT,
      // A heartbeat far apart, so it goes stale while the process is alive: only the pid check can save it.
      env: { ...process.env, STUDIO_RUN_HEARTBEAT_MS: '600000' },
      stdio: 'ignore',
    });
    const writer = createWriteStream(fifo);
    writer.write('{"text":"the first record arrives, the rest is slow"}\n');
    let run: { id: number; pid: number | null } | undefined;
    for (let i = 0; i < 600 && !run; i++) {
      run = project.db.prepare(`SELECT id, pid FROM runs WHERE kind = 'import' AND status = 'running'`).get() as
        | { id: number; pid: number | null }
        | undefined;
      if (!run) await sleep(100);
    }
    expect(run?.pid).toBe(child.pid);
    const runId = run?.id as number;
    await sleep(1500); // heartbeat now stale for a 1 s threshold

    // The app opening the project (this process) and `studio runs` (another one) both leave it alone.
    process.env.STUDIO_RUN_STALE_SECONDS = '1';
    try {
      const app = createAppContext(project);
      await app.close();
    } finally {
      delete process.env.STUDIO_RUN_STALE_SECONDS;
    }
    expect(getRun(project.db, runId)?.status).toBe('running');
    const listed = studio(['runs', '--json'], { STUDIO_RUN_STALE_SECONDS: '1' });
    expect(listed.code, listed.out).toBe(0);
    expect(getRun(project.db, runId)?.status).toBe('running');

    // kill -9: no finally, no finishRun. `studio runs` alone (no serve, no app) notices.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    writer.destroy();
    const after = studio(['runs', '--json'], { STUDIO_RUN_STALE_SECONDS: '1' });
    expect(after.code, after.out).toBe(0);
    const failed = getRun(project.db, runId);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(new RegExp(`pid ${child.pid}`));
    project.close();
  }, 120_000);
});

describe('failAbandonedRuns', () => {
  let db: Db;
  beforeEach(() => {
    db = openDb(join(dir, 'studio.db'), { create: true });
  });
  afterEach(() => db.close());

  const stamp = (id: number, fields: { host: string; pid: number; start: string | null; ageSeconds: number }) =>
    db
      .prepare(
        `UPDATE runs SET host = ?, pid = ?, process_start = ?,
         heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) WHERE id = ?`,
      )
      .run(fields.host, fields.pid, fields.start, `-${fields.ageSeconds} seconds`, `-${fields.ageSeconds} seconds`, id);

  it('needs a stale heartbeat and a gone process; another host is judged by its heartbeat; a reused pid is not the run', () => {
    const me = thisProcess();
    // A process that has certainly ended: a finished child.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const ids = Array.from({ length: 6 }, () => createRun(db, 'import', {}));
    // Stamped by hand below: this process's own heartbeat must not refresh them.
    for (const id of ids) stopHeartbeat(db, id);
    const [deadFresh, deadStale, aliveStale, otherHostStale, otherHostFresh, reusedPid] = ids as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    stamp(deadFresh, { host: me.host, pid: dead, start: null, ageSeconds: 0 });
    stamp(deadStale, { host: me.host, pid: dead, start: null, ageSeconds: 120 });
    stamp(aliveStale, { host: me.host, pid: me.pid, start: me.processStart, ageSeconds: 120 });
    stamp(otherHostStale, { host: 'elsewhere', pid: me.pid, start: null, ageSeconds: 120 });
    stamp(otherHostFresh, { host: 'elsewhere', pid: me.pid, start: null, ageSeconds: 0 });
    // Same pid as a live process (ours) but another start: the pid was reused, the run's process is gone.
    stamp(reusedPid, { host: me.host, pid: process.ppid, start: 'another-boot:1', ageSeconds: 120 });
    expect(failAbandonedRuns(db, { heartbeatMs: 1000, staleSeconds: 60 }).sort()).toEqual(
      [deadStale, otherHostStale, ...(me.processStart ? [reusedPid] : [])].sort(),
    );
    expect(getRun(db, aliveStale)?.status).toBe('running');
    expect(getRun(db, deadFresh)?.status).toBe('running');
  });

  it('a live run of this process keeps its heartbeat fresh, and finishing stops it', async () => {
    const id = createRun(db, 'import', {});
    const first = db.prepare('SELECT heartbeat_at FROM runs WHERE id = ?').pluck().get(id) as string;
    expect(first).toBeTruthy();
    expect(processAlive(process.pid, thisProcess().processStart)).toBe(true);
    finishRun(db, id, 'succeeded', {});
    expect(getRun(db, id)?.status).toBe('succeeded');
  });
});
