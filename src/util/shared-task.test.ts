import { describe, expect, it } from 'vitest';
import { joinTask, sharedTasks } from './shared-task.ts';

/** Work that ends after `ms` unless its signal stops it first; says how it ended. */
function work(ms: number, log: string[]) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        log.push('done');
        resolve('built');
      }, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        log.push('stopped');
        reject(new Error('stopped'));
      });
    });
}

describe('joinTask', () => {
  it('runs the work once for every caller, and a caller that cancels leaves it to the others (review)', async () => {
    // Review: a pull cancelled on the Models page aborted the venv build a training run waited on.
    const tasks = sharedTasks<string>();
    const log: string[] = [];
    const cancel = new AbortController();
    const pull = joinTask(tasks, 'venv', work(200, log), cancel.signal);
    const training = joinTask(tasks, 'venv', work(200, log));
    cancel.abort(new Error('cancelled by the user'));
    await expect(pull).rejects.toThrow('cancelled by the user');
    await expect(training).resolves.toBe('built');
    expect(log).toEqual(['done']);
    expect(tasks.size).toBe(0);
  });

  it('stops the work when every caller has cancelled', async () => {
    const tasks = sharedTasks<string>();
    const log: string[] = [];
    const [a, b] = [new AbortController(), new AbortController()];
    const first = joinTask(tasks, 'venv', work(5_000, log), a.signal);
    const second = joinTask(tasks, 'venv', work(5_000, log), b.signal);
    a.abort(new Error('a'));
    await expect(first).rejects.toThrow('a');
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual([]);
    b.abort(new Error('b'));
    await expect(second).rejects.toThrow('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['stopped']);
    // The next caller starts it again.
    await expect(joinTask(tasks, 'venv', work(10, log))).resolves.toBe('built');
  });
});
