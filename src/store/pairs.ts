import { type NewPair, NewPairSchema, type Pair, type PairQuery, PairQuerySchema } from '../contracts/pair.ts';
import { hashJson, sha256 } from '../util/hash.ts';
import type { Db } from './db.ts';
import { readJsonObject } from './json-column.ts';
import { withBatchPairIndexing } from './search-index.ts';

interface PairRow {
  id: number;
  source_id: number;
  compressed: string;
  compressed_hash: string;
  strategy: string;
  strategy_version: string;
  params: string;
  model: string;
  run_id: number | null;
  tokens_original: number | null;
  tokens_compressed: number | null;
  tokenizer: string | null;
  cost_usd: number | null;
  metadata: string;
  created_at: string;
}

function toPair(r: PairRow): Pair {
  return {
    id: r.id,
    sourceId: r.source_id,
    compressed: r.compressed,
    compressedHash: r.compressed_hash,
    strategy: r.strategy,
    strategyVersion: r.strategy_version,
    params: readJsonObject(r.params),
    model: r.model,
    runId: r.run_id,
    tokensOriginal: r.tokens_original,
    tokensCompressed: r.tokens_compressed,
    tokenizer: r.tokenizer,
    costUsd: r.cost_usd,
    metadata: readJsonObject(r.metadata),
    createdAt: r.created_at,
  };
}

export interface InsertPairsResult {
  inserted: number;
  duplicates: number;
  ids: number[];
  fresh: boolean[];
}

/**
 * The source's domain is copied onto the pair (migration 11) in the same statement, so the Pairs
 * view filters by domain from an index without joining sources.
 *
 * A pair is identified by its source, strategy, parameters, model and compressed text: running
 * the same strategy again on the same source adds nothing.
 */
export function insertPairs(db: Db, pairs: readonly NewPair[]): InsertPairsResult {
  const insert = db.prepare(`INSERT INTO pairs
    (source_id, compressed, compressed_hash, strategy, strategy_version, params, params_hash, model,
     run_id, tokens_original, tokens_compressed, tokenizer, cost_usd, metadata, domain)
    VALUES (@sourceId, @compressed, @compressedHash, @strategy, @strategyVersion, @params, @paramsHash,
     @model, @runId, @tokensOriginal, @tokensCompressed, @tokenizer, @costUsd, @metadata,
     (SELECT domain FROM sources WHERE id = @sourceId))
    ON CONFLICT DO NOTHING RETURNING id`);
  const find = db
    .prepare(
      `SELECT id FROM pairs WHERE source_id = ? AND strategy = ? AND params_hash = ? AND model = ? AND compressed_hash = ?`,
    )
    .pluck();
  const result: InsertPairsResult = { inserted: 0, duplicates: 0, ids: [], fresh: [] };
  db.transaction(() =>
    withBatchPairIndexing(db, () => {
      for (const input of pairs) {
        const p = NewPairSchema.parse(input);
        const row = {
          ...p,
          compressedHash: sha256(p.compressed),
          params: JSON.stringify(p.params),
          paramsHash: hashJson(p.params),
          metadata: JSON.stringify(p.metadata),
        };
        const inserted = insert.get(row) as { id: number } | undefined;
        if (inserted) {
          result.inserted++;
          result.ids.push(inserted.id);
          result.fresh.push(true);
        } else {
          result.duplicates++;
          result.fresh.push(false);
          result.ids.push(
            find.get(row.sourceId, row.strategy, row.paramsHash, row.model, row.compressedHash) as number,
          );
        }
      }
      return { result, inserted: result.ids.filter((_, i) => result.fresh[i]) };
    }),
  )();
  return result;
}

export function getPair(db: Db, id: number): Pair | undefined {
  const row = db.prepare('SELECT * FROM pairs WHERE id = ?').get(id) as PairRow | undefined;
  return row && toPair(row);
}

export function listPairs(db: Db, query: PairQuery = {}): Pair[] {
  const q = PairQuerySchema.parse(query);
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.sourceId !== undefined) {
    where.push('source_id = ?');
    params.push(q.sourceId);
  }
  if (q.strategy) {
    where.push('strategy = ?');
    params.push(q.strategy);
  }
  const sql = `SELECT * FROM pairs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ? OFFSET ?`;
  return (db.prepare(sql).all(...params, q.limit, q.offset) as PairRow[]).map(toPair);
}
