import { join } from 'node:path';
import type { TrainingEvent } from '../contracts/training.ts';
import { InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { createRun, finishRun, getRun, isCancelRequested, setRunMessage, updateRunProgress } from '../store/runs.ts';
import { appendTrainingEvent, lastCheckpoint } from '../store/training.ts';

/**
 * What every training run does around its trainer, whatever the runner (MLX, Tinker, the token
 * classifier): a `training` run row, its folder, every event stored (the Train page draws the
 * curves from them) and turned into progress, a stop from this process's signal or from any other
 * process (the cancel flag in the store), and the run finished as succeeded, cancelled or failed.
 */

/** How often the store is asked whether another process wants this run stopped. */
const CANCEL_POLL_MS = 250;

/** The last checkpoint of an earlier training run (of `runner`, when given), to resume from. */
export function checkpointToResume(project: Project, runId: number, runner?: string): string {
  const prev = getRun(project.db, runId);
  if (prev?.kind !== 'training' || (runner !== undefined && prev.config.runner !== runner))
    throw new InputError(`no ${runner ? `${runner} ` : ''}training run ${runId}`);
  const cp = lastCheckpoint(project.db, runId);
  if (!cp) throw new InputError(`run ${runId} saved no checkpoint to resume from`);
  return cp.path;
}

export interface TrainingRunOptions {
  runner: string;
  /** Stored as the run's config: the runner's settings and what the run was asked for. */
  stored: Record<string, unknown>;
  signal?: AbortSignal;
  onRun?: (runId: number) => void;
  onEvent?: (event: TrainingEvent) => void;
}

export interface TrainingRun {
  runId: number;
  runDir: string;
  /** The exported dataset. */
  dataDir: string;
  /** The trainer's output. */
  outDir: string;
  /** Aborted by the caller's signal or by a cancel request from any process: give it to the trainer. */
  signal: AbortSignal;
  /** Give this to the trainer: stores the event, updates progress, forwards to the caller. */
  onEvent: (event: TrainingEvent) => void;
  /** Train losses in order, the last and the best validation loss. */
  curve(): { losses: readonly number[]; lastVal?: number; bestVal?: number };
  message(text: string): void;
  /**
   * `done`, or 'stopped' when a stop comes before the first training step (the trainer still
   * installing or loading the model has nothing to save): the run can end then instead of after
   * minutes of setup, while the worker, told to stop too, ends on its own.
   */
  untilStopBeforeFirstStep<T>(done: Promise<T>): Promise<T | 'stopped'>;
}

export interface TrainingRunEnd<S> {
  status: 'succeeded' | 'cancelled';
  summary: S;
  /** Stored with the summary, not returned. */
  extra?: Record<string, unknown>;
}

/** The caller's signal and callbacks, as withTrainingRun takes them (absent ones left out). */
export function callerHooks(
  options: Pick<TrainingRunOptions, 'signal' | 'onRun' | 'onEvent'>,
): Pick<TrainingRunOptions, 'signal' | 'onRun' | 'onEvent'> {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onRun ? { onRun: options.onRun } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}

/**
 * Opens a training run, runs `body` with it and finishes the run with what `body` returns, or as
 * failed with its error (rethrown).
 */
export async function withTrainingRun<S extends object>(
  project: Project,
  options: TrainingRunOptions,
  body: (run: TrainingRun) => Promise<TrainingRunEnd<S>>,
): Promise<S> {
  const { db } = project;
  const runId = createRun(db, 'training', { runner: options.runner, ...options.stored });
  options.onRun?.(runId);
  const runDir = join(project.dir, 'data', 'training', `run-${runId}`);
  const losses: number[] = [];
  let lastVal: number | undefined;
  let bestVal: number | undefined;
  let total = 0;
  let started = false;
  let lastStepSeconds: number | undefined;
  const onEvent = (e: TrainingEvent) => {
    appendTrainingEvent(db, runId, e);
    if (e.type === 'start' || e.type === 'train') started = true;
    if (e.type === 'start') {
      total = e.totalIters;
      updateRunProgress(db, runId, e.startIter, e.totalIters);
    } else if (e.type === 'train') {
      losses.push(e.loss);
      if (e.itersPerSec) lastStepSeconds = 1 / e.itersPerSec;
      updateRunProgress(db, runId, e.iter, total || null);
    } else if (e.type === 'val') {
      lastVal = e.loss;
      bestVal = Math.min(bestVal ?? e.loss, e.loss);
    } else if (e.type === 'log') setRunMessage(db, runId, e.message);
    options.onEvent?.(e);
  };
  const controller = new AbortController();
  // Stopping is at a step boundary (the worker saves first): say how long that can take.
  const stop = () => {
    if (controller.signal.aborted) return;
    const step = lastStepSeconds === undefined ? '' : ` (a step takes about ${lastStepSeconds.toFixed(1)} s)`;
    setRunMessage(db, runId, `stopping: the trainer saves and stops after its current step${step}`);
    controller.abort();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop(); // aborted before this run could listen
  const poll = setInterval(() => {
    if (isCancelRequested(db, runId)) stop();
  }, CANCEL_POLL_MS);
  const run: TrainingRun = {
    runId,
    runDir,
    dataDir: join(runDir, 'data'),
    outDir: join(runDir, 'out'),
    signal: controller.signal,
    onEvent,
    curve: () => ({
      losses,
      ...(lastVal !== undefined ? { lastVal } : {}),
      ...(bestVal !== undefined ? { bestVal } : {}),
    }),
    message: (text) => setRunMessage(db, runId, text),
    untilStopBeforeFirstStep(done) {
      const stopped = new Promise<'stopped'>((resolveStop) => {
        const early = () => {
          if (!started) resolveStop('stopped');
        };
        if (controller.signal.aborted) early();
        else controller.signal.addEventListener('abort', early, { once: true });
      });
      return Promise.race([done, stopped]).then((outcome) => {
        if (outcome === 'stopped') done.catch(() => undefined); // its error is not this run's
        return outcome;
      });
    },
  };
  try {
    const end = await body(run);
    finishRun(db, runId, end.status, { ...end.summary, ...end.extra });
    return end.summary;
  } catch (error) {
    finishRun(db, runId, 'failed', {}, error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    clearInterval(poll);
    options.signal?.removeEventListener('abort', stop);
  }
}
