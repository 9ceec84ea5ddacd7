/**
 * One piece of work shared by every caller that asks for it while it runs (a venv being built, a
 * model being exported): each caller may cancel, and is then rejected alone; the work itself stops
 * only when no caller is left waiting on it. Review: a pull cancelled on the Models page aborted the
 * venv build a classifier training run was waiting on too, and the training failed.
 */

interface Running<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers still waiting; one without a signal waits to the end. */
  waiting: number;
}

export type SharedTasks<T> = Map<string, Running<T>>;

export function sharedTasks<T>(): SharedTasks<T> {
  return new Map();
}

export function joinTask<T>(
  tasks: SharedTasks<T>,
  key: string,
  start: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  let task = tasks.get(key);
  if (!task) {
    const controller = new AbortController();
    const created: Running<T> = {
      controller,
      waiting: 0,
      promise: Promise.resolve()
        .then(() => start(controller.signal))
        .finally(() => {
          if (tasks.get(key) === created) tasks.delete(key);
        }),
    };
    tasks.set(key, created);
    task = created;
  }
  const running = task;
  running.waiting++;
  if (!signal) return running.promise;
  return new Promise<T>((resolve, reject) => {
    const leave = () => {
      running.waiting--;
      if (running.waiting === 0) running.controller.abort(signal.reason);
      reject(signal.reason ?? new Error('cancelled'));
    };
    if (signal.aborted) {
      leave();
      return;
    }
    signal.addEventListener('abort', leave, { once: true });
    running.promise.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(error);
      },
    );
  });
}
