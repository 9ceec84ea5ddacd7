import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { openProject, type Project } from '../src/project.ts';
import { submitLabel } from '../src/review/queue.ts';
import { listPairs } from '../src/store/pairs.ts';
import { listRuns } from '../src/store/runs.ts';
import { getSource } from '../src/store/sources.ts';
import { ensureTinkerVenv } from '../src/training/tinker.ts';
import { runTraining } from '../src/training/train-job.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
let dir = '';
let studio: Studio;
let runId = 0;

function approveAll(project: Project): void {
  for (const p of listPairs(project.db)) {
    const source = getSource(project.db, p.sourceId);
    if (!source) continue;
    submitLabel(project.db, {
      pairId: p.id,
      labeler: 'ana',
      decision: 'approve',
      compressedHash: p.compressedHash,
      originalHash: source.hash,
    });
  }
}

function trainingRuns(): number {
  const project = openProject({ dir });
  try {
    return listRuns(project.db, { kind: 'training' }).length;
  } finally {
    project.close();
  }
}

async function api(base: string, name: string, args: unknown) {
  const res = await fetch(`${base}/api/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as { error?: { name: string; message: string } } };
}

async function preflightFor(page: Page, runner: 'Local (MLX)' | 'Tinker') {
  const card = page.getByTestId('preflight');
  await card.getByRole('group', { name: 'Runner' }).getByRole('button', { name: runner }).click();
  await expect(card.getByTestId('check-dataset-size')).toBeVisible({ timeout: 30_000 });
  return card;
}

test.beforeAll(async () => {
  // The Tinker worker's venv is a prerequisite (the test setup builds it): fail loudly, never skip.
  await ensureTinkerVenv();
  dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  cli(dir, ['compress', '--all']);
  // A finished run to look at: the Tinker runner with its worker's stand-ins for the service.
  const project = openProject({ dir });
  try {
    approveAll(project);
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
  // Browser mode without a Tinker key.
  studio = await serve(dir, { TINKER_API_KEY: '' });
});
test.afterAll(async () => {
  await studio?.stop();
  if (dir) removeProject(dir);
});

test('the Train page shows a run with its loss curve, numbers and dataset split', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/train`);
  await expect(page.getByRole('heading', { name: 'Train', exact: true })).toBeVisible();
  await expect(page.getByText(/approved pairs become the training set/)).toContainText('4 approved pairs');
  const run = page.getByTestId(`training-run-${runId}`);
  await expect(run).toHaveAttribute('data-status', 'succeeded');
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(chart.locator('canvas')).toBeVisible();
  await expect(page.getByTestId('train-iter')).toContainText('/');
  // The run's heading names its model (never "Run 10:" with nothing after it), and its split.
  await expect(page.locator('.train-detail h2')).toHaveText(new RegExp(`^Run ${runId}: \\S+`));
  await expect(page.locator('.train-detail').getByTestId('dataset-split')).toContainText('train');
  await page.screenshot({ path: join(SHOTS, 'train.png') });
});

test('pre-flight: Tinker without a key is refused before any run exists; the split and tokens are shown', async ({
  page,
}) => {
  const before = trainingRuns();
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${studio.base}/?token=${TOKEN}#/train`);
    const card = await preflightFor(page, 'Tinker');
    await expect(card.getByTestId('check-key')).toHaveAttribute('data-level', 'error');
    await expect(card.getByTestId('check-key')).toContainText('TINKER_API_KEY');
    await expect(card.getByTestId('check-dataset-size')).toHaveAttribute('data-level', 'warn');
    await expect(card.getByTestId('dataset-split')).toContainText(/\d+ → \d+/);
    await expect(card.getByRole('button', { name: 'Train on Tinker' })).toBeDisabled();
    await page.screenshot({ path: join(SHOTS, `train-preflight-${width}.png`), fullPage: true });
  }
  // Local: the backend for this platform with its expected speed, and whether the base model is here.
  const local = await preflightFor(page, 'Local (MLX)');
  await expect(local.getByTestId('check-platform')).toContainText(
    process.platform === 'darwin' ? 'MLX' : /mlx-lm\[cpu\] .*tokens\/s/,
  );
  await expect(local.getByTestId('check-base-model')).toBeVisible();
  await expect(local.getByTestId('check-trainer')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'train-preflight-local.png'), fullPage: true });
  // The API refuses it too, with a 4xx naming the variable for the server's environment.
  const r = await api(studio.base, 'jobs-train', { runner: 'tinker', confirmed: true });
  expect(r.status).toBe(400);
  expect(r.body.error?.name).toBe('KeyMissingError');
  expect(r.body.error?.message).toMatch(/TINKER_API_KEY in the environment of "studio serve"/);
  expect(trainingRuns()).toBe(before);
});

test('pre-flight warns on a tiny set and asks once; one run at a time; Stop leaves "running" promptly', async ({
  page,
}) => {
  const keyed = await serve(dir, { TINKER_API_KEY: 'tk-e2e' });
  const project = openProject({ dir });
  try {
    const before = trainingRuns();
    await page.goto(`${keyed.base}/?token=${TOKEN}#/train`);
    const card = await preflightFor(page, 'Tinker');
    await expect(card.getByTestId('check-key')).toHaveAttribute('data-level', 'ok');
    await card.getByRole('button', { name: 'Train on Tinker' }).click();
    const ask = card.getByRole('alertdialog', { name: 'Confirm training' });
    await expect(ask).toContainText(/only \d+ training examples/);
    await page.screenshot({ path: join(SHOTS, 'train-preflight-confirm.png'), fullPage: true });
    await ask.getByRole('button', { name: 'Not now' }).click();
    expect(trainingRuns()).toBe(before);

    // A run trains (started from another process, as the CLI would): its steps are slow.
    const controller = new AbortController();
    const running = runTraining(project, {
      runner: 'tinker',
      overrides: { batchSize: 1, epochs: 200, loraRank: 4, saveEvery: 1000 },
      tinkerFakeService: true,
      env: { FAKE_TINKER_STEP_SECONDS: '0.5' },
      signal: controller.signal,
    });
    const active = listRuns(project.db, { kind: 'training' })[0];
    expect(active?.status).toBe('running');
    await expect(card.getByRole('button', { name: 'Train on Tinker' })).toBeDisabled({ timeout: 15_000 });
    await expect(card).toContainText(`Run ${active?.id} is training: one run at a time`);
    // A second start through the API is a conflict, and creates nothing.
    const second = await api(keyed.base, 'jobs-train', { runner: 'tinker', confirmed: true });
    expect(second.status).toBe(409);
    expect(second.body.error?.message).toMatch(/is training now/);
    expect(trainingRuns()).toBe(before + 1);

    // Stop: "cancelling" at once, then cancelled after the step in flight.
    const item = page.getByTestId(`training-run-${active?.id}`);
    await item.click();
    await expect(page.getByTestId('train-iter')).not.toContainText(/^0 /, { timeout: 30_000 });
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(item).toContainText('cancelling', { timeout: 5_000 });
    await expect(page.getByTestId('train-stopping')).toContainText(/stops after its current step/);
    await page.screenshot({ path: join(SHOTS, 'train-stopping.png') });
    await expect(item).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
    const summary = await running;
    expect(summary.cancelled).toBe(true);
    // A 0.5 s step, plus saving: well under the minutes the finding saw.
    expect(Date.now() - t0).toBeLessThan(20_000);
    await expect(card.getByRole('button', { name: 'Train on Tinker' })).toBeEnabled();
  } finally {
    project.close();
    await keyed.stop();
  }
});
