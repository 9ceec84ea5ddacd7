import type { Db } from '../store/db.ts';
import { type BulkPairRow, bulkPairRows } from '../store/review.ts';
import { probeTallies } from '../store/verdict-tallies.ts';

/** Texts longer than this are cut in Bulk (the row says so and Focus shows all of it). */
const BULK_TEXT_CHARS = 20_000;

export interface ModelScore {
  model: string;
  /** Share of the model's judged probes answered equivalently; null when none was judged. */
  equivalence: number | null;
  judged: number;
}

export interface BulkRow
  extends Pick<BulkPairRow, 'id' | 'title' | 'domain' | 'strategy' | 'model' | 'original' | 'compressed'> {
  /** True when either text was cut to BULK_TEXT_CHARS for the list. */
  truncated: boolean;
  compressedHash: string;
  originalHash: string;
  tokensOriginal: number | null;
  tokensCompressed: number | null;
  ratio: number | null;
  /** Per validator model, worst first. */
  scores: ModelScore[];
}

/** Per pair and model: the share of probe verdicts that are equivalent (judge errors aside). */
export function modelScores(db: Db, pairIds: readonly number[]): Map<number, ModelScore[]> {
  const out = new Map<number, ModelScore[]>();
  if (!pairIds.length) return out;
  const rows = probeTallies(db, pairIds);
  for (const r of rows) {
    const list = out.get(r.pairId) ?? [];
    list.push({ model: r.model, equivalence: r.judged ? r.eq / r.judged : null, judged: r.judged });
    out.set(r.pairId, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.equivalence ?? 2) - (b.equivalence ?? 2));
  return out;
}

/** The rows Bulk shows for these pairs, in the order given. */
export function bulkRows(db: Db, pairIds: readonly number[]): BulkRow[] {
  if (!pairIds.length) return [];
  const rows = bulkPairRows(db, pairIds);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const scores = modelScores(db, pairIds);
  return pairIds.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const truncated = r.original.length > BULK_TEXT_CHARS || r.compressed.length > BULK_TEXT_CHARS;
    return [
      {
        id: r.id,
        title: r.title,
        domain: r.domain,
        strategy: r.strategy,
        model: r.model,
        original: r.original.slice(0, BULK_TEXT_CHARS),
        compressed: r.compressed.slice(0, BULK_TEXT_CHARS),
        truncated,
        compressedHash: r.compressed_hash,
        originalHash: r.original_hash,
        tokensOriginal: r.tokens_original,
        tokensCompressed: r.tokens_compressed,
        ratio: r.tokens_original ? (r.tokens_compressed ?? 0) / r.tokens_original : null,
        scores: scores.get(r.id) ?? [],
      },
    ];
  });
}
