import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { getRun, requestCancel } from '../store/runs.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { appendTrainingEvent, listTrainingEvents } from '../store/training.ts';
import { checkpointToResume, type TrainingRun, withTrainingRun } from './training-run.ts';

// The wiring every training job shares, against a real project file; the trainers themselves are
// exercised by mlx.test.ts, tinker.test.ts, train-job.test.ts and classifier.test.ts.
let dir: string;
let project: Project;
setUpTempProject('studio-training-run-', (t) => ({ dir, project } = t));

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withTrainingRun', () => {
  it('stores every event, turns them into progress and the curve, and finishes with the summary', async () => {
    let runId = 0;
    const summary = await withTrainingRun(
      project,
      { runner: 'test', stored: { config: { iters: 3 } }, onRun: (id) => (runId = id) },
      async (tr) => {
        tr.onEvent({ type: 'start', runner: 'mlx', baseModel: 'm', totalIters: 3, startIter: 0 });
        tr.onEvent({ type: 'train', iter: 1, loss: 2 });
        tr.onEvent({ type: 'val', iter: 1, loss: 1.5 });
        tr.onEvent({ type: 'train', iter: 2, loss: 1 });
        tr.onEvent({ type: 'val', iter: 2, loss: 1.8 });
        expect(getRun(project.db, tr.runId)).toMatchObject({ done: 2, total: 3, status: 'running' });
        expect(tr.curve()).toEqual({ losses: [2, 1], lastVal: 1.8, bestVal: 1.5 });
        expect(tr.outDir).toBe(join(dir, 'data', 'training', `run-${tr.runId}`, 'out'));
        return { status: 'succeeded', summary: { iters: 2 } };
      },
    );
    expect(summary).toEqual({ iters: 2 });
    expect(getRun(project.db, runId)).toMatchObject({
      status: 'succeeded',
      config: { runner: 'test', config: { iters: 3 } },
      summary: { iters: 2 },
    });
    expect(listTrainingEvents(project.db, runId).map((e) => e.type)).toEqual(['start', 'train', 'val', 'train', 'val']);
  });

  it('a cancel requested by another process aborts the trainer’s signal and says what happens next', async () => {
    let messageWhileStopping: string | null | undefined;
    await withTrainingRun(project, { runner: 'test', stored: {} }, async (tr) => {
      tr.onEvent({ type: 'train', iter: 1, loss: 2, itersPerSec: 0.5 });
      requestCancel(project.db, tr.runId);
      await new Promise((r) => tr.signal.addEventListener('abort', r, { once: true }));
      messageWhileStopping = getRun(project.db, tr.runId)?.message;
      return { status: 'cancelled', summary: {} };
    });
    expect(messageWhileStopping).toBe(
      'stopping: the trainer saves and stops after its current step (a step takes about 2.0 s)',
    );
  });

  it('a stop before the first step ends the run at once, without waiting for the trainer', async () => {
    const controller = new AbortController();
    let trainer: Promise<never> | undefined;
    const t0 = performance.now();
    const summary = await withTrainingRun(
      project,
      { runner: 'test', stored: {}, signal: controller.signal },
      async (tr: TrainingRun) => {
        // A trainer still setting up: it would take a minute and then fail.
        trainer = tick(60_000).then(() => Promise.reject(new Error('late')));
        setTimeout(() => controller.abort(), 50);
        const outcome = await tr.untilStopBeforeFirstStep(trainer);
        expect(outcome).toBe('stopped');
        return { status: 'cancelled', summary: { stopped: true }, extra: { stoppedBeforeFirstStep: true } };
      },
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(summary).toEqual({ stopped: true });
    const runs = project.db.prepare('SELECT status, summary FROM runs').all() as { status: string; summary: string }[];
    expect(runs).toEqual([
      { status: 'cancelled', summary: JSON.stringify({ stopped: true, stoppedBeforeFirstStep: true }) },
    ]);
  });

  it('once training has started a stop waits for the trainer to save', async () => {
    const controller = new AbortController();
    await withTrainingRun(project, { runner: 'test', stored: {}, signal: controller.signal }, async (tr) => {
      tr.onEvent({ type: 'train', iter: 1, loss: 2 });
      controller.abort();
      await expect(tr.untilStopBeforeFirstStep(tick(100).then(() => 'saved'))).resolves.toBe('saved');
      return { status: 'cancelled', summary: {} };
    });
  });

  it('a failing body finishes the run as failed with its message and rethrows', async () => {
    let runId = 0;
    const failing = withTrainingRun(project, { runner: 'test', stored: {}, onRun: (id) => (runId = id) }, async () => {
      throw new InputError('the dataset has no training examples');
    });
    await expect(failing).rejects.toThrow(InputError);
    expect(getRun(project.db, runId)).toMatchObject({
      status: 'failed',
      error: 'the dataset has no training examples',
    });
  });
});

describe('checkpointToResume', () => {
  it('returns the last checkpoint of a run of the right runner, and says why not otherwise', async () => {
    let first = 0;
    await withTrainingRun(project, { runner: 'classifier', stored: {} }, async (tr) => {
      first = tr.runId;
      appendTrainingEvent(project.db, tr.runId, { type: 'checkpoint', iter: 2, path: '/a/2.pt' });
      appendTrainingEvent(project.db, tr.runId, { type: 'checkpoint', iter: 4, path: '/a/4.pt' });
      return { status: 'cancelled', summary: {} };
    });
    expect(checkpointToResume(project, first, 'classifier')).toBe('/a/4.pt');
    expect(checkpointToResume(project, first)).toBe('/a/4.pt');
    expect(() => checkpointToResume(project, first, 'mlx')).toThrow(/no mlx training run/);
    expect(() => checkpointToResume(project, 999)).toThrow(/no training run 999/);
    const empty = await withTrainingRun(project, { runner: 'classifier', stored: {} }, async (tr) => ({
      status: 'cancelled',
      summary: { id: tr.runId },
    }));
    expect(() => checkpointToResume(project, empty.id)).toThrow(/saved no checkpoint/);
  });
});
