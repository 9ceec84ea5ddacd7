import { KeyMissingError } from '../errors/index.ts';
import { type EventBus, type StudioEvent, throttleProgress } from '../events.ts';
import type { Project } from '../project.ts';
import { finishRun, getRun, isCancelRequested, setFailureKind } from '../store/runs.ts';

/** How often a job looks for a cancel asked by another process (or the app's Cancel button). */
const CANCEL_POLL_MS = 250;

export type JobBody = (signal: AbortSignal, onRun: (id: number) => void) => Promise<{ cancelled: boolean }>;

/** Starts background jobs of one process and tracks them until they end. */
export interface Launcher {
  /**
   * Runs a job's body in the background. Resolves with the run id as soon as the body creates its
   * run row; a body that fails before that rejects the start instead (the job could not begin).
   */
  launch(kind: string, body: JobBody): Promise<{ runId: number }>;
  /** Throttled run-progress events. */
  progress: (event: Extract<StudioEvent, { type: 'run-progress' }>) => void;
  idle(): Promise<void>;
  cancelAll(): void;
}

export function createLauncher(project: Project, bus: EventBus): Launcher {
  const running = new Set<Promise<unknown>>();
  const controllers = new Set<AbortController>();
  const progress = throttleProgress(bus);

  function launch(kind: string, body: JobBody): Promise<{ runId: number }> {
    const controller = new AbortController();
    controllers.add(controller);
    let runId: number | undefined;
    let cancelPoll: ReturnType<typeof setInterval> | undefined;
    return new Promise<{ runId: number }>((resolve, reject) => {
      const work = body(controller.signal, (id) => {
        runId = id;
        // The row exists now: say so at once, so the Runs page lists the job before its first item.
        bus.emit({ type: 'store-changed', reason: 'run-started' });
        progress({ type: 'run-progress', runId: id, kind, done: 0, total: 0, label: 'starting' });
        // A cancel asked from any process aborts the job's signal, which aborts the model call in
        // flight: the job stops within a call, not after its current item.
        cancelPoll = setInterval(() => {
          if (!controller.signal.aborted && isCancelRequested(project.db, id)) controller.abort();
        }, CANCEL_POLL_MS);
        cancelPoll.unref?.();
        resolve({ runId: id });
      })
        .then((result) => {
          if (runId === undefined) {
            reject(new Error(`the ${kind} job ended before creating its run`));
            return;
          }
          bus.emit({ type: 'run-finished', runId, kind, status: result.cancelled ? 'cancelled' : 'succeeded' });
        })
        .catch((error: unknown) => {
          if (runId === undefined) {
            reject(error);
            return;
          }
          recordFailure(project, runId, error);
          const message = error instanceof Error ? error.message : String(error);
          bus.emit({ type: 'run-finished', runId, kind, status: 'failed', error: message });
        })
        .finally(() => {
          clearInterval(cancelPoll);
          controllers.delete(controller);
          running.delete(work);
          bus.emit({ type: 'store-changed', reason: kind });
        });
      running.add(work);
    });
  }

  return {
    launch,
    progress,
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    cancelAll() {
      for (const c of controllers) c.abort();
    },
  };
}

/** Marks a run failed unless its job already closed it, and why (a key still missing cannot be resumed). */
function recordFailure(project: Project, runId: number, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (getRun(project.db, runId)?.status === 'running') finishRun(project.db, runId, 'failed', {}, message);
  if (error instanceof KeyMissingError)
    setFailureKind(project.db, runId, 'missing-key', { env: error.keys.map((k) => k.env) });
}
