import type { Db } from './db.ts';

/** The trigram FTS5 indexes of migration 11 and the columns each indexes after its rowid. */
const COLUMNS = { pairs_fts: ['compressed'], sources_fts: ['text', 'title'] } as const;
export type SearchIndex = keyof typeof COLUMNS;

/**
 * Runs a batch of inserts with `index`'s insert trigger off, then indexes the rows the batch queued
 * with plain single-row inserts. Call it inside the batch's transaction.
 *
 * Why: FTS5 writes its pending rows to disk at every statement savepoint, and an insert that fires
 * triggers opens one, so an index written by the trigger gets a segment per row and a batch of
 * pairs was 6x slower to insert. Queued rows are indexed after the last trigger-firing insert, so
 * they stay pending until the commit. The mark in search_index_deferred is part of the transaction:
 * other connections never see it, a rollback undoes it. Nested, the inner call indexes its own rows
 * and leaves the outer call's mark in place.
 */
export function withBatchIndexing<R>(
  db: Db,
  index: SearchIndex,
  write: (queue: (rowid: number, ...texts: (string | null)[]) => void) => R,
): R {
  const owner = db.prepare('INSERT OR IGNORE INTO search_index_deferred (name) VALUES (?)').run(index).changes === 1;
  const queued: [number, (string | null)[]][] = [];
  const result = write((rowid, ...texts) => queued.push([rowid, texts]));
  const columns = COLUMNS[index];
  const insert = db.prepare(
    `INSERT INTO ${index} (rowid, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})`,
  );
  for (const [rowid, texts] of queued) insert.run(rowid, ...texts);
  if (owner) db.prepare('DELETE FROM search_index_deferred WHERE name = ?').run(index);
  return result;
}
