import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
let fake: FakeServers;
let studio: Studio;

test.beforeAll(async () => {
  // The providers answer from loopback servers speaking their wire formats; studio serve's SDKs
  // are pointed at them through the usual base-URL variables.
  fake = await startFakeServers({ answer: readingModel });
  const dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  cli(dir, ['compress', '--all']);
  studio = await serve(dir, { ...fakeProviderEnv(fake.url), STUDIO_BATCH_POLL_MS: '20' });
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
  await fake.close();
});

test('validate a view with chosen models and watch the scores arrive', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}&labeler=ana#/pairs?domain=chat`);
  await expect(page.getByTestId('pairs-count')).toContainText('2 pairs');
  await page.getByRole('button', { name: 'Validate this view…' }).click();
  const dialog = page.getByRole('form', { name: 'Validate this view' });
  await expect(dialog.getByLabel('Validators')).toHaveValue(/anthropic\/claude-sonnet-4-5/);
  await dialog.getByLabel('Validators').fill('anthropic/claude-test, gemini/gemini-test');
  await dialog.getByLabel('Judge').fill('openai/judge-test');
  await dialog.getByLabel('Prober').fill('openai/prober-test');
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'validate-dialog.png') });
  await dialog.getByRole('button', { name: 'Start validation' }).click();
  await expect(page).toHaveURL(/#\/runs/);
  // The newest run is listed first (at once, while it runs): wait for its result, then its status.
  const run = page.locator('[data-testid^="run-"]').first();
  await expect(run).toContainText('anthropic/claude-test: 2/2 pass', { timeout: 60_000 });
  await expect(run).toHaveAttribute('data-status', 'succeeded');
  await expect(run).toContainText('gemini/gemini-test: 2/2 pass');
  expect(fake.count('anthropic')).toBeGreaterThan(0);
  expect(fake.count('gemini')).toBeGreaterThan(0);
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'runs-validation.png') });

  await page.goto(`${studio.base}/#/pairs?verdict=passes`);
  await expect(page.getByTestId('pairs-count')).toContainText('2 pairs');
  await page.locator('.vbody .vrow').first().click();
  const matrix = page.locator('table.matrix');
  await expect(matrix).toContainText('anthropic/claude-test');
  await expect(matrix).toContainText('gemini/gemini-test');
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'review-validated.png'), fullPage: true });
});

test('a batched validation goes through the batch endpoints and lands in the same scores', async ({ page }) => {
  fake.requests.length = 0;
  fake.batches.length = 0;
  await page.goto(`${studio.base}/?token=${TOKEN}&labeler=ana#/pairs?domain=code`);
  await expect(page.getByTestId('pairs-count')).toContainText('2 pairs');
  await page.getByRole('button', { name: 'Validate this view…' }).click();
  const dialog = page.getByRole('form', { name: 'Validate this view' });
  // The configured roles arrive first; filling before would race with them.
  await expect(dialog.getByLabel('Validators')).toHaveValue(/anthropic\/claude-sonnet-4-5/);
  await dialog.getByLabel('Validators').fill('openai/gpt-test, gemini/gemini-test');
  await dialog.getByLabel('Judge').fill('openai/judge-test');
  await dialog.getByLabel('Prober').fill('openai/prober-test');
  await dialog.getByRole('checkbox', { name: /batch endpoints/ }).check();
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'validate-dialog-batch.png') });
  await dialog.getByRole('button', { name: 'Start validation' }).click();
  const run = page.locator('[data-testid^="run-"]').first();
  await expect(run).toContainText('openai/gpt-test: 2/2 pass', { timeout: 60_000 });
  await expect(run).toHaveAttribute('data-status', 'succeeded');
  await expect(run).toContainText('gemini/gemini-test: 2/2 pass');
  expect(fake.batches.length).toBeGreaterThanOrEqual(3);
  expect(fake.count(undefined, 'live')).toBe(0);
  expect(fake.count(undefined, 'batch')).toBeGreaterThan(0);
});

test('a validation that cannot run says why, before it starts', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs`);
  await page.getByRole('button', { name: 'Validate this view…' }).click();
  const dialog = page.getByRole('form', { name: 'Validate this view' });
  // The configured roles arrive first; filling before would race with them.
  await expect(dialog.getByLabel('Validators')).toHaveValue(/anthropic\//);
  await dialog.getByLabel('Validators').fill('gpt-4');
  await dialog.getByRole('button', { name: 'Start validation' }).click();
  await expect(page.getByRole('alert')).toContainText('not a model: write provider/model');
});
