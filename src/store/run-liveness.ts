import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Db } from './db.ts';

/**
 * Which process runs a run, and whether it still does. A run row records its host, pid and a token
 * of the process's start (Linux: boot id + start time in clock ticks from /proc, so a pid reused
 * after the process died is not mistaken for it), and a heartbeat this process refreshes while the
 * run is open. Another process (the app opening the project, `studio runs`) fails a run only when
 * its heartbeat is stale AND its process is gone; a run on another host, whose process cannot be
 * checked from here, is judged by its heartbeat alone.
 */

export interface LivenessSettings {
  /** How often a running run's heartbeat is refreshed. */
  heartbeatMs: number;
  /** A heartbeat older than this may mean the run was abandoned (then the process is checked). */
  staleSeconds: number;
}

const DEFAULTS: LivenessSettings = { heartbeatMs: 5_000, staleSeconds: 60 };

/**
 * The defaults, or STUDIO_RUN_HEARTBEAT_MS / STUDIO_RUN_STALE_SECONDS (tests and benches shorten
 * them to see an abandoned run within seconds).
 */
export function livenessSettings(env: Readonly<Record<string, string | undefined>> = process.env): LivenessSettings {
  const num = (v: string | undefined, fallback: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    heartbeatMs: num(env.STUDIO_RUN_HEARTBEAT_MS, DEFAULTS.heartbeatMs),
    staleSeconds: num(env.STUDIO_RUN_STALE_SECONDS, DEFAULTS.staleSeconds),
  };
}

function readProcStart(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and ")", so count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (!ticks) return null;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${ticks}`;
  } catch {
    return null;
  }
}

let own: { host: string; pid: number; processStart: string | null } | undefined;

/** This process, as recorded on the runs it starts. */
export function thisProcess(): { host: string; pid: number; processStart: string | null } {
  own ??= { host: hostname(), pid: process.pid, processStart: readProcStart('self') };
  return own;
}

/** Whether the process that recorded (pid, processStart) on this host is still running. */
export function processAlive(pid: number, processStart: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; ESRCH: gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (processStart === null) return true; // no start token recorded (not Linux): the pid is all we have
  const now = readProcStart(pid);
  return now === null ? true : now === processStart;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** Runs this process keeps alive, per connection; one timer per connection beats for all of them. */
const beating = new WeakMap<Db, { runs: Set<number>; timer: ReturnType<typeof setInterval> }>();

/** Stamps a new run with this process and starts its heartbeat. */
export function startHeartbeat(db: Db, runId: number, settings: LivenessSettings = livenessSettings()): void {
  const me = thisProcess();
  db.prepare(`UPDATE runs SET host = ?, pid = ?, process_start = ?, heartbeat_at = ${NOW} WHERE id = ?`).run(
    me.host,
    me.pid,
    me.processStart,
    runId,
  );
  let entry = beating.get(db);
  if (!entry) {
    const runs = new Set<number>();
    const beat = db.prepare(`UPDATE runs SET heartbeat_at = ${NOW} WHERE id = ? AND status IN ('queued', 'running')`);
    const timer = setInterval(() => {
      try {
        for (const id of runs) if (beat.run(id).changes === 0) runs.delete(id);
      } catch {
        // The connection closed (or is busy past its timeout): stop beating; a closed db has no runs left.
        if (!db.open) {
          clearInterval(timer);
          beating.delete(db);
        }
      }
      if (!runs.size) {
        clearInterval(timer);
        beating.delete(db);
      }
    }, settings.heartbeatMs);
    // The heartbeat never keeps a finished CLI command alive.
    timer.unref?.();
    entry = { runs, timer };
    beating.set(db, entry);
  }
  entry.runs.add(runId);
}

/** The run ended (finishRun): no more heartbeats for it. */
export function stopHeartbeat(db: Db, runId: number): void {
  const entry = beating.get(db);
  if (!entry) return;
  entry.runs.delete(runId);
  if (!entry.runs.size) {
    clearInterval(entry.timer);
    beating.delete(db);
  }
}

interface RunningRow {
  id: number;
  host: string | null;
  pid: number | null;
  process_start: string | null;
}

/**
 * Fails the runs whose process is gone: heartbeat (or, for rows from before heartbeats, last
 * update) older than `staleSeconds`, and, on this host, no live process with the recorded pid and
 * start. Whoever looks first (the app opening the project, `studio runs`) does it. Returns the ids.
 */
export function failAbandonedRuns(db: Db, settings: LivenessSettings = livenessSettings()): number[] {
  const me = thisProcess();
  const stale = db
    .prepare(
      `SELECT id, host, pid, process_start FROM runs
       WHERE status = 'running'
         AND coalesce(heartbeat_at, updated_at) < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)`,
    )
    .all(`-${settings.staleSeconds} seconds`) as RunningRow[];
  const gone = stale.filter((r) => {
    if (r.pid === null || r.host === null) return true; // a row from before heartbeats: staleness is all there is
    if (r.host !== me.host) return true; // cannot see that host's processes: a stale heartbeat decides
    if (r.pid === me.pid && r.process_start === me.processStart) return false; // ours, only delayed
    return !processAlive(r.pid, r.process_start);
  });
  const fail = db.prepare(
    `UPDATE runs SET status = 'failed', error = ?, message = NULL, finished_at = ${NOW}, updated_at = ${NOW}
     WHERE id = ? AND status = 'running' AND coalesce(heartbeat_at, updated_at) < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)`,
  );
  const failed: number[] = [];
  for (const r of gone) {
    const why =
      r.pid === null
        ? 'the process running it stopped'
        : `the process running it stopped (pid ${r.pid} on ${r.host}, no heartbeat for over ${settings.staleSeconds} s)`;
    if (fail.run(why, r.id, `-${settings.staleSeconds} seconds`).changes) failed.push(r.id);
  }
  return failed;
}
