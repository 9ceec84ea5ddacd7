import type { Db } from './db.ts';

/**
 * The provider response cache: one row per request key (sha256 of the canonical request), written
 * by the cache middleware after a live call and by the batch runner when a batch answers.
 * Statements are prepared once per connection, since a job asks once per call.
 */
export interface ResponseCache {
  /** The stored response JSON, or undefined. */
  get(key: string): string | undefined;
  has(key: string): boolean;
  /** Counts a hit (for the cache's statistics). */
  hit(key: string): void;
  put(key: string, provider: string, model: string, responseJson: string): void;
}

export function responseCache(db: Db): ResponseCache {
  const get = db.prepare('SELECT response FROM response_cache WHERE key = ?').pluck();
  const has = db.prepare('SELECT 1 FROM response_cache WHERE key = ?').pluck();
  const hit = db.prepare('UPDATE response_cache SET hits = hits + 1 WHERE key = ?');
  const put = db.prepare('INSERT OR REPLACE INTO response_cache (key, provider, model, response) VALUES (?, ?, ?, ?)');
  return {
    get: (key) => get.get(key) as string | undefined,
    has: (key) => has.get(key) !== undefined,
    hit: (key) => void hit.run(key),
    put: (key, provider, model, responseJson) => void put.run(key, provider, model, responseJson),
  };
}
