import type { Db } from './db.ts';
import { readJsonObject } from './json-column.ts';
import { failAbandonedRuns, type LivenessSettings, startHeartbeat, stopHeartbeat } from './run-liveness.ts';

export type RunKind = 'import' | 'generation' | 'validation' | 'training' | 'export';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Run {
  id: number;
  kind: RunKind;
  status: RunStatus;
  config: Record<string, unknown>;
  total: number | null;
  done: number;
  summary: Record<string, unknown>;
  error: string | null;
  /** What the run is doing now, for long waits (a batch at the provider). */
  message: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Money spent by the run's model calls; calls without a known price are counted apart. */
  spendUsd: number;
  unpricedCalls: number;
  /** The budget the run was started with, when it had one. */
  budgetUsd: number | null;
  /** Someone asked it to stop; it is still finishing its current call or step ("cancelling"). */
  cancelRequested: boolean;
}

interface RunRow {
  id: number;
  kind: RunKind;
  status: RunStatus;
  config: string;
  total: number | null;
  done: number;
  summary: string;
  error: string | null;
  message: string | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  spend: number | null;
  unpriced: number | null;
  cancel_requested: number;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** A new running run, stamped with this process and kept alive by its heartbeat until finishRun. */
export function createRun(db: Db, kind: RunKind, config: Record<string, unknown>, total?: number): number {
  const id = db
    .prepare(`INSERT INTO runs (kind, status, config, total) VALUES (?, 'running', ?, ?) RETURNING id`)
    .pluck()
    .get(kind, JSON.stringify(config), total ?? null) as number;
  startHeartbeat(db, id);
  return id;
}

export function updateRunProgress(db: Db, id: number, done: number, total?: number | null): void {
  db.prepare(`UPDATE runs SET done = ?, total = coalesce(?, total), updated_at = ${NOW} WHERE id = ?`).run(
    done,
    total ?? null,
    id,
  );
}

/** Says what the run is doing and keeps it from looking abandoned while it waits. */
export function setRunMessage(db: Db, id: number, message: string | null): void {
  db.prepare(`UPDATE runs SET message = ?, updated_at = ${NOW} WHERE id = ?`).run(message, id);
}

export function finishRun(
  db: Db,
  id: number,
  status: Exclude<RunStatus, 'queued' | 'running'>,
  summary: Record<string, unknown>,
  error?: string,
): void {
  db.prepare(
    `UPDATE runs SET status = ?, summary = ?, error = ?, message = NULL, updated_at = ${NOW}, finished_at = ${NOW} WHERE id = ?`,
  ).run(status, JSON.stringify(summary), error ?? null, id);
  stopHeartbeat(db, id);
}

/** Asks the process running a run to stop; it checks between items. Works across processes. */
export function requestCancel(db: Db, id: number): boolean {
  return (
    db.prepare(`UPDATE runs SET cancel_requested = 1 WHERE id = ? AND status IN ('queued', 'running')`).run(id)
      .changes > 0
  );
}

/**
 * Records why a failed run failed, in its summary (`failureKind`, and the key names for
 * "missing-key"), so the app offers resume only where it can succeed.
 */
export function setFailureKind(db: Db, id: number, kind: string, detail: Record<string, unknown> = {}): void {
  db.prepare(
    "UPDATE runs SET summary = json_patch(summary, json_object('failureKind', ?, 'failureDetail', json(?))) WHERE id = ?",
  ).run(kind, JSON.stringify(detail), id);
}

export function isCancelRequested(db: Db, id: number): boolean {
  return (db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').pluck().get(id) as number | undefined) === 1;
}

/**
 * Runs left "running" by a process that died are marked failed by whoever looks first (the app
 * opening the project, `studio runs`): only when their heartbeat is stale and their process is
 * gone (run-liveness.ts), so a run still working in another process is left alone.
 */
export function markAbandonedRuns(db: Db, settings?: LivenessSettings): number {
  return failAbandonedRuns(db, settings).length;
}

function toRun(r: RunRow): Run {
  const config = readJsonObject(r.config);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    config,
    total: r.total,
    done: r.done,
    summary: readJsonObject(r.summary),
    error: r.error,
    message: r.message ?? null,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    spendUsd: r.spend ?? 0,
    unpricedCalls: r.unpriced ?? 0,
    budgetUsd: typeof config.budgetUsd === 'number' ? config.budgetUsd : null,
    cancelRequested: r.cancel_requested === 1,
  };
}

const WITH_SPEND = `SELECT r.*,
  (SELECT sum(cost_usd) FROM costs c WHERE c.run_id = r.id) AS spend,
  (SELECT count(*) FROM costs c WHERE c.run_id = r.id AND c.cost_usd IS NULL) AS unpriced
  FROM runs r`;

export function getRun(db: Db, id: number): Run | undefined {
  const row = db.prepare(`${WITH_SPEND} WHERE r.id = ?`).get(id) as RunRow | undefined;
  return row && toRun(row);
}

export function listRuns(db: Db, options: { kind?: RunKind; limit?: number } = {}): Run[] {
  const rows = (
    options.kind
      ? db.prepare(`${WITH_SPEND} WHERE r.kind = ? ORDER BY r.id DESC LIMIT ?`).all(options.kind, options.limit ?? 50)
      : db.prepare(`${WITH_SPEND} ORDER BY r.id DESC LIMIT ?`).all(options.limit ?? 50)
  ) as RunRow[];
  return rows.map(toRun);
}

/**
 * Sets top-level fields of a run's stored config (what a resume re-dispatches with); null is
 * stored as JSON null. Field names are identifiers, never user text.
 */
export function setRunConfigFields(db: Db, id: number, fields: Record<string, string | number | boolean | null>): void {
  const entries = Object.entries(fields);
  if (!entries.length) return;
  for (const [key] of entries)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a config field name: ${JSON.stringify(key)}`);
  const paths = entries.map(([key]) => `'$.${key}', ?`).join(', ');
  db.prepare(`UPDATE runs SET config = json_set(config, ${paths}) WHERE id = ?`).run(
    ...entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)),
    id,
  );
}
