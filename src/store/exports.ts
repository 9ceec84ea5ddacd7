import type { PairViewFilters } from '../contracts/view.ts';
import type { Db } from './db.ts';
import { pairWhere } from './pair-view.ts';

/** Rows for the JSONL exports (whole tables) and the Pairs table's view export. */

export type ExportTable = 'pairs' | 'labels' | 'verdicts' | 'sources';

/**
 * One query per exported table. Pairs carry their source's text and all their labels and verdicts
 * (as JSON arrays), sources their tags.
 */
const TABLE_SQL: Record<ExportTable, string> = {
  pairs: `SELECT p.*, s.text AS original, s.domain, s.language, s.title, s.origin_ref,
      (SELECT json_group_array(json_object('labeler', l.labeler, 'decision', l.decision, 'editedText', l.edited_text,
         'comment', l.comment, 'status', l.status, 'createdAt', l.created_at)) FROM labels l WHERE l.pair_id = p.id) AS labels,
      (SELECT json_group_array(json_object('model', v.model, 'probeId', v.probe_id, 'method', v.method,
         'outcome', v.outcome, 'score', v.score)) FROM verdicts v WHERE v.pair_id = p.id) AS verdicts
      FROM pairs p JOIN sources s ON s.id = p.source_id ORDER BY p.id`,
  labels: 'SELECT * FROM labels ORDER BY id',
  verdicts: 'SELECT * FROM verdicts ORDER BY id',
  sources: `SELECT s.*, (SELECT json_group_array(tag) FROM source_tags t WHERE t.source_id = s.id) AS tags FROM sources s ORDER BY s.id`,
};

/** Every row of a table, as the database has it, one at a time. */
export function iterateExportRows(db: Db, table: ExportTable): IterableIterator<Record<string, unknown>> {
  return db.prepare(TABLE_SQL[table]).iterate() as IterableIterator<Record<string, unknown>>;
}

export interface ViewExportRow {
  id: number;
  source_id: number;
  title: string | null;
  domain: string;
  language: string | null;
  original: string;
  compressed: string;
  strategy: string;
  model: string;
  tokens_original: number | null;
  tokens_compressed: number | null;
  /** JSON array of submitted labels. */
  labels: string;
  /** JSON array of verdicts. */
  verdicts: string;
}

/** Every pair of a Pairs view (its filters, not its page), with submitted labels and verdicts. */
export function viewExportRows(db: Db, filters: Omit<PairViewFilters, 'sort' | 'desc'>): ViewExportRow[] {
  const { sql, params } = pairWhere(db, filters);
  return db
    .prepare(
      `SELECT p.id, p.source_id, s.title, s.domain, s.language, s.text AS original, p.compressed, p.strategy, p.model,
        p.tokens_original, p.tokens_compressed,
        (SELECT json_group_array(json_object('labeler', l.labeler, 'decision', l.decision, 'editedText', l.edited_text, 'comment', l.comment))
          FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted') AS labels,
        (SELECT json_group_array(json_object('model', v.model, 'probeId', v.probe_id, 'outcome', v.outcome, 'method', v.method))
          FROM verdicts v WHERE v.pair_id = p.id) AS verdicts
       FROM pairs p JOIN sources s ON s.id = p.source_id ${sql} ORDER BY p.id`,
    )
    .all(...params) as ViewExportRow[];
}
