import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openProject } from '../src/project.ts';
import { submitLabel } from '../src/review/queue.ts';
import { listPairs } from '../src/store/pairs.ts';
import { runTraining } from '../src/training/train-job.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
let studio: Studio;
let runId = 0;

test.beforeAll(async () => {
  test.skip(!existsSync(join(ROOT, '.cache', 'training', 'tinker-venv', 'bin', 'python')), 'needs the Tinker venv');
  const dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  cli(dir, ['compress', '--all']);
  // A finished run to look at: the Tinker runner with its worker's stand-ins for the service.
  const project = openProject({ dir });
  try {
    for (const p of listPairs(project.db))
      submitLabel(project.db, { pairId: p.id, labeler: 'ana', decision: 'approve' });
    runId = (
      await runTraining(project, {
        runner: 'tinker',
        overrides: { batchSize: 1, epochs: 6, loraRank: 4, saveEvery: 2 },
        tinkerFakeService: true,
      })
    ).runId;
  } finally {
    project.close();
  }
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio?.stop();
  if (studio) removeProject(studio.dir);
});

test('the Train page shows a run with its loss curve and numbers', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/train`);
  await expect(page.getByRole('heading', { name: 'Train', exact: true })).toBeVisible();
  await expect(page.getByText(/approved pairs become the training set/)).toContainText('4 approved pairs');
  const run = page.getByTestId(`training-run-${runId}`);
  await expect(run).toHaveAttribute('data-status', 'succeeded');
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(chart.locator('canvas')).toBeVisible();
  await expect(page.getByTestId('train-iter')).toContainText('/');
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'train.png') });
});
