/** The longest a Node timer waits: past it, AbortSignal.timeout and setTimeout fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `work`'s outcome, or a rejection with the signal's reason as soon as it aborts: the caller stops
 * waiting, the work goes on (another caller may still want it). Without a signal, `work` itself.
 */
export function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
