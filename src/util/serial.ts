/**
 * A queue that runs async work one call at a time, in call order: what a single model sequence or
 * onnxruntime session needs (the pruner and the token classifier share it). A failed call does not
 * stop the ones after it; its caller gets the error.
 */
export function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
}
