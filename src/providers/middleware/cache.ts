import type { Db } from '../../store/db.ts';
import { responseCache } from '../../store/response-cache.ts';
import { hashJson } from '../../util/hash.ts';
import type { CompletionRequest, CompletionResponse, Middleware } from '../spec.ts';

/** Bumped when the key's ingredients change, so old entries are simply not found. */
const CACHE_VERSION = 1;

/** sha256 of the canonical request: provider, model and parameters; never headers or keys. */
export function cacheKey(provider: string, req: CompletionRequest): string {
  const { model, ...params } = req;
  return hashJson({ v: CACHE_VERSION, provider, model, params });
}

/**
 * Response cache in SQLite. A hit costs nothing and says `cached: true`; identical calls in
 * flight share one promise; errors and empty answers are never stored.
 */
export function cacheMiddleware(db: Db): Middleware {
  const cache = responseCache(db);
  const inFlight = new Map<string, Promise<CompletionResponse>>();
  return (next) => ({
    id: next.id,
    async complete(req, options) {
      const key = cacheKey(next.id, req);
      const stored = cache.get(key);
      if (stored) {
        cache.hit(key);
        return { ...(JSON.parse(stored) as CompletionResponse), cached: true, costUsd: 0 };
      }
      // A caller that joins a call already in flight paid nothing: its copy says cached.
      const pending = inFlight.get(key);
      if (pending) return pending.then((res) => ({ ...res, cached: true, costUsd: 0 }));
      const call = next
        .complete(req, options)
        .then((res) => {
          if (res.text.trim()) {
            const { cached: _c, costUsd: _cost, ...keep } = res;
            cache.put(key, next.id, req.model, JSON.stringify(keep));
          }
          return res;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, call);
      return call;
    },
  });
}
