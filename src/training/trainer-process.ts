import { resolve } from 'node:path';
import { type TrainingEvent, TrainingEventSchema } from '../contracts/training.ts';
import { InputError, WorkerCrashedError } from '../errors/index.ts';
import { type BadLine, type JsonWorkerExit, spawnJsonWorker } from '../workers/json-worker.ts';
import { stderrTail } from '../workers/output-tail.ts';

/**
 * The one lifecycle of a training worker (native/mlx/train.py, native/classifier/train.py,
 * native/tinker/worker.py): every stdout line a TrainingEvent (src/contracts/training.ts), cancel
 * = SIGTERM (the worker stops at its next step boundary and saves) then SIGKILL after a grace
 * period, and one set of rules for how a run ends.
 */

/** The driver's exit code for bad input (config, dataset line, resume file). */
const EXIT_BAD_INPUT = 2;

export interface TrainerEnd {
  /** What the run produced (adapter, model folder), or for a cancelled run what it kept. */
  adapterPath: string;
  lastIter: number;
  cancelled: boolean;
}

export interface TrainerCommand {
  command: string;
  args: readonly string[];
  /** Set over the parent's environment. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface TrainerSpec {
  /** "the trainer", "the Tinker worker": first in messages. */
  name: string;
  /** Builds the venv and the argv; may throw (a cancel during it, bad options). */
  prepare: (signal: AbortSignal) => Promise<TrainerCommand>;
  onEvent: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** Time to finish the current step and save after cancel, before SIGKILL. */
  cancelGraceMs: number;
  /** The checkpoint this run continued from: what a run killed before its first checkpoint kept. */
  resumedFrom?: string;
}

export interface TrainerRun {
  done: Promise<TrainerEnd>;
  /** Asks the worker to stop at the next step boundary and keep its checkpoint; SIGKILL after the grace period. */
  cancel(): void;
}

/**
 * Runs a training worker and streams its events. A run that ends without `done` rejects: an
 * InputError for bad input (the worker's `error` event and exit code 2), otherwise a
 * WorkerCrashedError carrying the tail of stderr; an `error` event is emitted first when the
 * worker did not send one. A cancelled run that had to be killed resolves cancelled, with the
 * last checkpoint it announced.
 */
export function startTrainer(spec: TrainerSpec): TrainerRun {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  if (spec.signal?.aborted) cancel();
  spec.signal?.addEventListener('abort', cancel, { once: true });
  const done = (async (): Promise<TrainerEnd> => {
    try {
      await Promise.resolve(); // events reach the caller only after it holds the run
      const { command, args, env } = await spec.prepare(controller.signal);
      const seen: Seen = { startIter: 0 };
      const exit = await spawnJsonWorker({
        command,
        args,
        env,
        schema: TrainingEventSchema,
        signal: controller.signal,
        graceMs: spec.cancelGraceMs,
        onMessage: (event) => {
          if (event.type === 'done') seen.done = event;
          if (event.type === 'error') seen.error = event.message;
          if (event.type === 'checkpoint') seen.checkpoint = { iter: event.iter, path: event.path };
          if (event.type === 'start') seen.startIter = event.startIter;
          spec.onEvent(event);
        },
        onBadLine: (bad) => spec.onEvent({ type: 'error', message: protocolMessage(spec.name, bad) }),
      }).done;
      return settle(spec, seen, exit, controller.signal.aborted);
    } finally {
      spec.signal?.removeEventListener('abort', cancel);
    }
  })();
  return { done, cancel };
}

interface Seen {
  done?: Extract<TrainingEvent, { type: 'done' }>;
  error?: string;
  checkpoint?: { iter: number; path: string };
  startIter: number;
}

const protocolMessage = (name: string, bad: BadLine) =>
  `${name}'s stdout line ${bad.line} is not a training event: ${bad.excerpt} (the line ${bad.reason})`;

function settle(spec: TrainerSpec, seen: Seen, exit: JsonWorkerExit, cancelled: boolean): TrainerEnd {
  const tail = stderrTail(exit.stderr, 15);
  const fail = (message: string) => {
    const full = tail ? `${message}:\n${tail}` : message;
    spec.onEvent({ type: 'error', message: full });
    return new WorkerCrashedError(full, tail);
  };
  if (exit.spawnError) {
    const message = `cannot start ${spec.name}: ${exit.spawnError.message}`;
    spec.onEvent({ type: 'error', message });
    throw new WorkerCrashedError(message, '', { cause: exit.spawnError });
  }
  if (exit.badLine) {
    const message = protocolMessage(spec.name, exit.badLine); // already sent as an event
    throw new WorkerCrashedError(tail ? `${message}\n${tail}` : message, tail);
  }
  if (seen.done)
    return { adapterPath: seen.done.adapterPath, lastIter: seen.done.iter, cancelled: seen.done.cancelled };
  if (seen.error !== undefined) {
    if (exit.code === EXIT_BAD_INPUT) throw new InputError(seen.error);
    throw new WorkerCrashedError(`${spec.name} failed: ${seen.error}${tail ? `\n${tail}` : ''}`, tail);
  }
  // Cancelled and killed (after the grace period, before its handler was installed, or before it
  // was spawned): what was kept is the last checkpoint it announced, else what it resumed from.
  if (cancelled && (exit.signal !== null || !exit.spawned))
    return {
      adapterPath: seen.checkpoint?.path ?? (spec.resumedFrom ? resolve(spec.resumedFrom) : ''),
      lastIter: seen.checkpoint?.iter ?? seen.startIter,
      cancelled: true,
    };
  const how = exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  throw fail(`${spec.name} stopped without finishing${cancelled ? ' after it was cancelled' : ''} (${how})`);
}
