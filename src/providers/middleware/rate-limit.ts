import type { Middleware } from '../spec.ts';
import { abortableSleep } from './retry.ts';

export interface RateLimits {
  maxInFlight: number;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
}

/**
 * At most `maxInFlight` calls at once, and no more requests or (estimated) tokens per minute than
 * allowed over a sliding minute. Callers wait in order; nothing is dropped.
 */
export function rateLimitMiddleware(
  limits: RateLimits,
  clock: { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
): Middleware {
  const now = clock.now ?? Date.now;
  const sleep = clock.sleep ?? abortableSleep;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const window: { at: number; tokens: number }[] = [];

  const acquireSlot = async () => {
    if (inFlight < limits.maxInFlight) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
  };
  const releaseSlot = () => {
    inFlight--;
    waiting.shift()?.();
  };
  const admit = async (tokens: number, signal?: AbortSignal) => {
    for (;;) {
      const t = now();
      while (window.length && (window[0]?.at ?? 0) <= t - 60_000) window.shift();
      const requests = window.length;
      const used = window.reduce((n, w) => n + w.tokens, 0);
      const rpmOk = !limits.requestsPerMinute || requests < limits.requestsPerMinute;
      const tpmOk = !limits.tokensPerMinute || used + tokens <= limits.tokensPerMinute || requests === 0;
      if (rpmOk && tpmOk) {
        window.push({ at: t, tokens });
        return;
      }
      // Wait until the oldest call leaves the minute.
      const oldest = window[0]?.at ?? t;
      await sleep(Math.max(5, oldest + 60_000 - t), signal);
    }
  };

  return (next) => ({
    id: next.id,
    async complete(req, options) {
      const chars = (req.system?.length ?? 0) + req.messages.reduce((n, m) => n + m.content.length, 0);
      await admit(Math.ceil(chars / 4) + req.maxTokens, options?.signal);
      await acquireSlot();
      try {
        return await next.complete(req, options);
      } finally {
        releaseSlot();
      }
    },
  });
}
