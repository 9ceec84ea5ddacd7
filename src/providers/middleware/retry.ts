import { ProviderCallError } from '../../errors/index.ts';
import type { Middleware } from '../spec.ts';

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderCallError }) => void;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    // The listener goes when the wait ends, so a long job's signal does not collect them.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Exponential backoff with jitter on retryable failures (429, 5xx, timeouts, dropped
 * connections), waiting at least what retry-after asks. Anything else fails at once.
 */
export function retryMiddleware(options: RetryOptions): Middleware {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  return (next) => ({
    id: next.id,
    async complete(req, callOptions) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await next.complete(req, callOptions);
        } catch (error) {
          const e =
            error instanceof ProviderCallError
              ? error
              : new ProviderCallError(String(error), { retryable: false, cause: error });
          if (!e.retryable || attempt >= options.maxRetries || callOptions?.signal?.aborted) {
            if (attempt > 0) {
              throw new ProviderCallError(`${e.message} (gave up after ${attempt + 1} attempts)`, {
                ...(e.status === undefined ? {} : { status: e.status }),
                retryable: e.retryable,
                cause: e,
              });
            }
            throw e;
          }
          const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
          // Full jitter on the backoff, never less than what the server asked for.
          const delayMs = Math.max(e.retryAfterMs ?? 0, Math.round(backoff * (0.5 + random() / 2)));
          options.onRetry?.({ attempt: attempt + 1, delayMs, error: e });
          await sleep(delayMs, callOptions?.signal);
        }
      }
    },
  });
}
