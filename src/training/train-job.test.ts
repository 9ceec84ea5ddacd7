import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { appRoot } from '../app-root.ts';
import type { Project } from '../project.ts';
import { submitLabel } from '../review/queue.ts';
import { insertPairs } from '../store/pairs.ts';
import { getRun, requestCancel } from '../store/runs.ts';
import { insertSources, textSource } from '../store/sources.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { listModels, listTrainingEvents } from '../store/training.ts';
import { runTraining } from './train-job.ts';

// The Tinker runner with its worker's stand-ins for the SDK's clients (the service cannot be
// reached from here): the whole job runs for real around it: dataset, worker process, events,
// cancel from the store, models. Needs the Tinker venv, which the test setup builds.
const tinkerVenv = join(appRoot(), '.cache', 'training', 'tinker-venv', 'bin', 'python');
// In CI every prerequisite is installed: a missing venv there is a failure, not a skip.
const maybe = existsSync(tinkerVenv) || process.env.STUDIO_TINKER_PYTHON || process.env.CI ? describe : describe.skip;

let dir: string;
let project: Project;

setUpTempProject('studio-train-', (t) => ({ dir, project } = t));
beforeEach(() => {
  const texts = Array.from(
    { length: 12 },
    (_v, i) => `Note ${i}: the meeting about the budget moved to room ${i}, and everyone agreed.`,
  );
  const { ids } = insertSources(
    project.db,
    texts.map((text) => textSource(text, 'nl')),
  );
  const pairs = insertPairs(
    project.db,
    ids.map((sourceId, i) => ({ sourceId, compressed: `Meeting moved to room ${i}.`, strategy: 'manual' })),
  );
  for (const pairId of pairs.ids) submitLabel(project.db, { pairId, labeler: 'ana', decision: 'approve' });
});

maybe('a training run through the job', () => {
  it('exports the approved pairs, stores every event, finishes, and registers the adapters', async () => {
    const s = await runTraining(project, {
      runner: 'tinker',
      overrides: { batchSize: 2, epochs: 2, loraRank: 4, saveEvery: 4 },
      tinkerFakeService: true,
    });
    expect(s.cancelled).toBe(false);
    expect(s.dataset.splits.train.examples + s.dataset.splits.valid.examples + s.dataset.splits.test.examples).toBe(12);
    const events = listTrainingEvents(project.db, s.runId);
    expect(events.some((e) => e.type === 'start')).toBe(true);
    expect(events.at(-1)?.type).toBe('done');
    const losses = events.flatMap((e) => (e.type === 'train' ? [e.loss] : []));
    expect(losses.length).toBeGreaterThan(2);
    expect(losses.at(-1) as number).toBeLessThan(losses[0] as number);
    expect(getRun(project.db, s.runId)?.status).toBe('succeeded');
    const models = listModels(project.db);
    expect(models.some((m) => m.kind === 'peft-adapter' && m.runId === s.runId)).toBe(true);
  }, 240_000);

  it('stops cleanly when another process asks, and says so', async () => {
    process.env.FAKE_TINKER_STEP_SECONDS = '0.5'; // slow enough for the store to be polled mid-run
    let runId = 0;
    const s = await runTraining(project, {
      runner: 'tinker',
      overrides: { batchSize: 1, epochs: 20, loraRank: 4 },
      tinkerFakeService: true,
      onRun: (id) => {
        runId = id;
      },
      onEvent: (e) => {
        if (e.type === 'train' && e.iter === 2) requestCancel(project.db, runId);
      },
    });
    expect(s.cancelled).toBe(true);
    expect(getRun(project.db, s.runId)?.status).toBe('cancelled');
    expect(s.iters).toBeLessThan(20 * 9);
    delete process.env.FAKE_TINKER_STEP_SECONDS;
  }, 240_000);

  it('refuses to train on nothing, naming what to do', async () => {
    project.db.prepare('DELETE FROM labels').run();
    await expect(runTraining(project, { runner: 'tinker', tinkerFakeService: true })).rejects.toThrow(
      /approve \(or edit\)/,
    );
  });
});
