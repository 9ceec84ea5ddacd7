import type { Domain } from '../contracts/source.ts';
import type { Db } from './db.ts';

/** Project-wide counts and token sums for the header and `studio stats`. */

export function sourceCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
}

/** Sources and characters per domain. */
export function domainTotals(db: Db): { domain: Domain; n: number; chars: number }[] {
  return db.prepare('SELECT domain, count(*) AS n, sum(chars) AS chars FROM sources GROUP BY domain').all() as {
    domain: Domain;
    n: number;
    chars: number;
  }[];
}

/**
 * Token counts already stored for sources, per domain. `exactKey` is the tokenizer's key when its
 * counts are exact; an estimate is stored per domain as `<tokenizer>~<domain>`.
 */
export function storedTokenTotals(
  db: Db,
  exactKey: string | null,
  tokenizer: string,
): { domain: Domain; counted: number; tokens: number }[] {
  return db
    .prepare(
      `SELECT s.domain, count(tc.count) AS counted, coalesce(sum(tc.count), 0) AS tokens FROM sources s
       JOIN token_counts tc ON tc.text_hash = s.hash AND tc.tokenizer = coalesce(?, ? || '~' || s.domain) GROUP BY s.domain`,
    )
    .all(exactKey, tokenizer) as { domain: Domain; counted: number; tokens: number }[];
}

/** Sources after an id, in id order (paged, so a caller may write between pages). */
export function sourcesAfter(
  db: Db,
  afterId: number,
  limit: number,
): { id: number; text: string; domain: Domain; chars: number }[] {
  return db
    .prepare('SELECT id, text, domain, chars FROM sources WHERE id > ? ORDER BY id LIMIT ?')
    .all(afterId, limit) as {
    id: number;
    text: string;
    domain: Domain;
    chars: number;
  }[];
}

export interface StrategyTotals {
  strategy: string;
  tokenizer: string | null;
  pairs: number;
  tokensOriginal: number;
  tokensCompressed: number;
  /** Pairs with both counts known. */
  counted: number;
}

/** Pairs and token sums per strategy and tokenizer. */
export function strategyTotals(db: Db): StrategyTotals[] {
  return db
    .prepare(
      `SELECT strategy, tokenizer, count(*) AS pairs,
        coalesce(sum(tokens_original), 0) AS tokensOriginal, coalesce(sum(tokens_compressed), 0) AS tokensCompressed,
        sum(tokens_original IS NOT NULL AND tokens_compressed IS NOT NULL) AS counted
       FROM pairs GROUP BY strategy, tokenizer ORDER BY strategy`,
    )
    .all() as StrategyTotals[];
}

/** Rows in the pairs, labels and verdicts tables. */
export function rowCounts(db: Db): { pairs: number; labels: number; verdicts: number } {
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    pairs: count('SELECT count(*) FROM pairs'),
    labels: count('SELECT count(*) FROM labels'),
    verdicts: count('SELECT count(*) FROM verdicts'),
  };
}
