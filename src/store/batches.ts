import type { Db } from './db.ts';

/**
 * Provider batches a job submitted and the request keys in each, recorded before polling so a job
 * killed while it waits collects the same batches when it restarts and never submits twice.
 */
export interface OpenBatch {
  id: number;
  provider: string;
  externalId: string;
  purpose: string;
}

export interface BatchStore {
  /** Submitted batches (not yet collected) that hold this request key. */
  openFor(key: string): OpenBatch[];
  /** The key was in a batch that answered it, one way or the other. */
  tried(key: string): boolean;
  /** The key was in a batch that did not answer it well (errored, expired, empty). */
  failed(key: string): boolean;
  /** Records a submitted batch and its items in one transaction; returns its id. */
  record(
    batch: { runId: number; provider: string; externalId: string; purpose: string },
    items: readonly { key: string; model: string }[],
  ): number;
  /** The batch's request keys and the model each asked. */
  itemModels(batchId: number): Map<string, string>;
  markItem(batchId: number, key: string, outcome: string, error: string | null): void;
  finish(batchId: number, state: string, succeeded: number, errored: number, error: string | null): void;
}

export function batchStore(db: Db): BatchStore {
  const open = db.prepare(
    `SELECT b.id, b.provider, b.external_id AS externalId, b.purpose FROM batch_items i JOIN batches b ON b.id = i.batch_id
     WHERE i.key = ? AND b.status = 'submitted'`,
  );
  const tried = db.prepare('SELECT 1 FROM batch_items WHERE key = ? AND outcome IS NOT NULL').pluck();
  const failed = db
    .prepare(`SELECT 1 FROM batch_items WHERE key = ? AND outcome IS NOT NULL AND outcome != 'succeeded'`)
    .pluck();
  const insertBatch = db
    .prepare(
      'INSERT INTO batches (run_id, provider, external_id, purpose, requests) VALUES (?, ?, ?, ?, ?) RETURNING id',
    )
    .pluck();
  const insertItem = db.prepare('INSERT INTO batch_items (batch_id, key, model) VALUES (?, ?, ?)');
  const itemModels = db.prepare('SELECT key, model FROM batch_items WHERE batch_id = ?');
  const markItem = db.prepare('UPDATE batch_items SET outcome = ?, error = ? WHERE batch_id = ? AND key = ?');
  const finish = db.prepare(
    `UPDATE batches SET status = ?, succeeded = ?, errored = ?, error = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
  );
  return {
    openFor: (key) => open.all(key) as OpenBatch[],
    tried: (key) => tried.get(key) !== undefined,
    failed: (key) => failed.get(key) !== undefined,
    record: (batch, items) =>
      db.transaction(() => {
        const id = insertBatch.get(
          batch.runId,
          batch.provider,
          batch.externalId,
          batch.purpose,
          items.length,
        ) as number;
        for (const item of items) insertItem.run(id, item.key, item.model);
        return id;
      })(),
    itemModels: (batchId) =>
      new Map((itemModels.all(batchId) as { key: string; model: string }[]).map((r) => [r.key, r.model] as const)),
    markItem: (batchId, key, outcome, error) => void markItem.run(outcome, error, batchId, key),
    finish: (batchId, state, succeeded, errored, error) => void finish.run(state, succeeded, errored, error, batchId),
  };
}
