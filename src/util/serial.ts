/**
 * A queue that runs async work one call at a time, in call order: what a single model sequence or
 * onnxruntime session needs (the pruner and the token classifier share it). A failed call does not
 * stop the ones after it; its caller gets the error. A call given a signal that aborts while it
 * still waits leaves the queue at once (rejected with the signal's reason) and never runs: a
 * caller that gave up must not hold the model later for nothing. Once running, the call itself
 * watches the signal.
 */
export function serialQueue(): <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    let onAbort: (() => void) | undefined;
    const ran = queue.then(() => {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      signal?.throwIfAborted();
      return fn();
    });
    queue = ran.catch(() => undefined);
    if (!signal) return ran;
    return new Promise<T>((resolve, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      ran.then(resolve, reject);
    });
  };
}
