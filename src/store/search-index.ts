import type { Db } from './db.ts';

/**
 * Runs a batch of pair inserts with pairs_fts's insert trigger off, then indexes the batch's new
 * pairs with a few set-wise statements, keeping migration 11's layout: a source with one pair has
 * its text and title in that pair's row, a source with more has them once in sources_fts. Call it
 * inside the batch's transaction; `write` returns the ids of the pairs it inserted.
 *
 * Why: FTS5 writes its pending rows to disk at every statement savepoint, and an insert that fires
 * triggers opens one, so an index written by the trigger gets a segment per row: a batch of pairs
 * was 6x slower to insert. The mark in search_index_deferred is part of the transaction, so other
 * connections never see it and a rollback undoes it. Nested, the inner call indexes its own pairs
 * and leaves the outer call's mark in place.
 */
export function withBatchPairIndexing<R>(db: Db, write: () => { result: R; inserted: readonly number[] }): R {
  const owner =
    db.prepare("INSERT OR IGNORE INTO search_index_deferred (name) VALUES ('pairs_fts')").run().changes === 1;
  const { result, inserted } = write();
  if (inserted.length) indexNewPairs(db, JSON.stringify(inserted));
  if (owner) db.prepare("DELETE FROM search_index_deferred WHERE name = 'pairs_fts'").run();
  return result;
}

/** Per source the batch touched: its pairs now (`n`) and the batch's share of them (`fresh`). */
const TOUCHED = `WITH fresh(id) AS (SELECT value FROM json_each(?)),
  touched(source_id, fresh, n) AS (
    SELECT p.source_id, count(*), (SELECT count(*) FROM pairs q WHERE q.source_id = p.source_id)
    FROM pairs p WHERE p.id IN fresh GROUP BY p.source_id)`;

function indexNewPairs(db: Db, ids: string): void {
  // A source whose one earlier pair now has company: that pair's row keeps only its compressed text.
  const earlier = `SELECT p.id, p.compressed FROM touched t JOIN pairs p ON p.source_id = t.source_id
    WHERE t.n - t.fresh = 1 AND p.id NOT IN fresh`;
  db.prepare(`${TOUCHED} DELETE FROM pairs_fts WHERE rowid IN (SELECT id FROM (${earlier}))`).run(ids);
  db.prepare(`INSERT INTO pairs_fts (rowid, compressed) ${TOUCHED} ${earlier}`).run(ids);
  // Sources that now have two or more pairs and had at most one: indexed once, in sources_fts.
  db.prepare(
    `INSERT INTO sources_fts (rowid, text, title) ${TOUCHED}
     SELECT s.id, s.text, s.title FROM touched t JOIN sources s ON s.id = t.source_id WHERE t.n > 1 AND t.n - t.fresh <= 1`,
  ).run(ids);
  // The new pairs: a source's only pair carries the source's text and title.
  db.prepare(
    `INSERT INTO pairs_fts (rowid, compressed, text, title) ${TOUCHED}
     SELECT p.id, p.compressed, iif(t.n = 1, s.text, NULL), iif(t.n = 1, s.title, NULL)
     FROM pairs p JOIN touched t ON t.source_id = p.source_id JOIN sources s ON s.id = p.source_id
     WHERE p.id IN fresh`,
  ).run(ids);
}
