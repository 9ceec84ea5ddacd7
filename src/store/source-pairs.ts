import type { Db } from './db.ts';

export interface SourcePairRow {
  id: number;
  strategy: string;
  model: string;
  tokensOriginal: number | null;
  tokensCompressed: number | null;
  ratio: number | null;
  equivalent: number;
  different: number;
  judgeErrors: number;
  /** Submitted decisions, one per labeler (their latest). */
  decisions: string[];
  preview: string;
  createdAt: string;
}

/** Every pair of one source with its verdict counts and labels: the source page's list. */
export function sourcePairs(db: Db, sourceId: number): SourcePairRow[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.strategy, p.model, p.tokens_original AS tokensOriginal, p.tokens_compressed AS tokensCompressed,
        substr(p.compressed, 1, 300) AS preview, p.created_at AS createdAt,
        (SELECT count(*) FROM verdicts v WHERE v.pair_id = p.id AND v.outcome = 'equivalent') AS equivalent,
        (SELECT count(*) FROM verdicts v WHERE v.pair_id = p.id AND v.outcome = 'different') AS different,
        (SELECT count(*) FROM verdicts v WHERE v.pair_id = p.id AND v.outcome = 'judge-error') AS judgeErrors,
        (SELECT group_concat(l.decision) FROM labels l WHERE l.pair_id = p.id AND l.status = 'submitted') AS decisions
       FROM pairs p WHERE p.source_id = ? ORDER BY p.id`,
    )
    .all(sourceId) as (Omit<SourcePairRow, 'decisions' | 'ratio'> & { decisions: string | null })[];
  return rows.map((r) => ({
    ...r,
    ratio: r.tokensOriginal && r.tokensCompressed !== null ? r.tokensCompressed / r.tokensOriginal : null,
    decisions: r.decisions ? r.decisions.split(',') : [],
  }));
}

/** The source's tags. */
export function sourceTags(db: Db, sourceId: number): string[] {
  return db.prepare('SELECT tag FROM source_tags WHERE source_id = ? ORDER BY tag').pluck().all(sourceId) as string[];
}

/** Every tag in the project, for selecting sources by tag. */
export function allTags(db: Db): string[] {
  return db.prepare('SELECT DISTINCT tag FROM source_tags ORDER BY tag').pluck().all() as string[];
}
