import { WorkerCrashedError } from '../errors/index.ts';
import { stderrTail } from './output-tail.ts';
import { spawnWorker, type WorkerExit, type WorkerOptions } from './spawn-worker.ts';

/** How a child ended, for messages: the stop reason, else the exit code or the signal. */
export function describeExit(exit: WorkerExit): string {
  if (exit.stopped) return exit.stopped.message;
  if (exit.spawnError) return `not started: ${exit.spawnError.message}`;
  return exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** True when the child ran and exited 0 on its own. */
export const exitedCleanly = (exit: WorkerExit) => exit.spawned && exit.code === 0 && !exit.stopped;

/**
 * The error for a child that did not exit cleanly: `<what> failed (<how>):` and the last lines of
 * stderr, where pip, the converters and Python's tracebacks put the actual reason.
 */
export function workerFailure(what: string, command: string, exit: WorkerExit): WorkerCrashedError {
  if (exit.spawnError)
    return new WorkerCrashedError(`${what}: cannot run ${command}: ${exit.spawnError.message}`, '', {
      cause: exit.spawnError,
    });
  const tail = stderrTail(exit.stderr);
  return new WorkerCrashedError(`${what} failed (${describeExit(exit)})${tail ? `:\n${tail}` : ''}`, tail);
}

export interface RunChildOptions extends Omit<WorkerOptions, 'command' | 'args' | 'onLine'> {
  /** Says what was being done, first in the error message. */
  what: string;
}

/**
 * Runs a command to completion (pip, venv creation, the converters). A non-zero exit, a timeout,
 * silence past the heartbeat or an abort rejects with a WorkerCrashedError ending with the last
 * lines of stderr.
 */
export async function runChild(command: string, args: readonly string[], options: RunChildOptions): Promise<void> {
  const { what, ...rest } = options;
  const exit = await spawnWorker({ ...rest, command, args }).done;
  if (!exitedCleanly(exit)) throw workerFailure(what, command, exit);
}
