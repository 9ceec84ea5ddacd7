import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openProject } from '../src/project.ts';
import { submitLabel } from '../src/review/queue.ts';
import { listPairs } from '../src/store/pairs.ts';
import { getRun } from '../src/store/runs.ts';
import { getSource } from '../src/store/sources.ts';
import { runClassifierTraining } from '../src/training/classifier-job.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
let dir = '';
let studio: Studio;
let runId = 0;

test.beforeAll(async () => {
  dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json')]);
  cli(dir, ['compress', '--all']);
  const project = openProject({ dir });
  try {
    for (const p of listPairs(project.db)) {
      const source = getSource(project.db, p.sourceId);
      if (source)
        submitLabel(project.db, {
          pairId: p.id,
          labeler: 'ana',
          decision: 'approve',
          compressedHash: p.compressedHash,
          originalHash: source.hash,
        });
    }
    // A finished classifier run to look at (real training, two steps).
    runId = (
      await runClassifierTraining(project, {
        overrides: { maxSteps: 2, batchSize: 2, maxSeqLength: 64, stepsPerReport: 1, stepsPerEval: 1 },
      })
    ).runId;
  } finally {
    project.close();
  }
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio?.stop();
  if (dir) removeProject(dir);
});

test('the Train page starts, follows and stops a token classifier run; the Models page lists the classifier stage', async ({
  page,
}) => {
  test.setTimeout(300_000);
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${studio.base}/?token=${TOKEN}#/train`);
    await page.getByTestId(`training-run-${runId}`).click();
    await expect(page.getByTestId(`training-run-${runId}`)).toContainText('classifier');
    await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', /^[1-9]\d*$/);
    await expect(page.getByTestId('classifier-run')).toBeVisible();
    await page.screenshot({ path: join(SHOTS, `train-classifier-${width}.png`), fullPage: true });
  }
  // Start one from the page, then stop it: it ends cancelled with its checkpoint (or before its first step).
  await page.getByTestId('classifier-run').getByRole('button', { name: 'Train classifier' }).click();
  const started = page.locator('[data-testid^="training-run-"][data-status="running"]');
  await expect(started).toHaveCount(1, { timeout: 60_000 });
  const id = Number((await started.getAttribute('data-testid'))?.replace('training-run-', ''));
  await started.click();
  await page.locator('.train-detail').getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId(`training-run-${id}`)).toHaveAttribute('data-status', /cancelled|succeeded/, {
    timeout: 180_000,
  });
  const project = openProject({ dir });
  try {
    expect(getRun(project.db, id)?.config.runner).toBe('classifier');
  } finally {
    project.close();
  }

  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const row = page.getByTestId('model-config:classifier');
  await expect(row).toContainText('token classifier');
  await expect(row).toContainText('for nl, chat, mixed');
  await expect(page.getByTestId(`model-project:1`)).toContainText('onnx-classifier');
  await expect(page.getByTestId(`model-project:1`)).not.toContainText('0.0 MB');
  await page.screenshot({ path: join(SHOTS, 'models-classifier-1440.png'), fullPage: true });
});
