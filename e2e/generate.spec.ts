import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { compressingModel } from '../src/providers/testing/compressing-model.ts';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
let fake: FakeServers;
let studio: Studio;

test.beforeAll(async () => {
  fake = await startFakeServers({
    answer: (req) => (req.model === 'gen-test' ? compressingModel(req) : readingModel(req)),
  });
  const dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  studio = await serve(dir, { ...fakeProviderEnv(fake.url), STUDIO_BATCH_POLL_MS: '20' });
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
  await fake.close();
});

test('generate prompted candidates from the Runs page and find them on the Pairs page', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}&labeler=ana#/runs`);
  await page.getByRole('button', { name: 'Generate candidates…' }).click();
  const dialog = page.getByRole('form', { name: 'Generate candidates' });
  await dialog.getByLabel('Strategy').selectOption('prompted');
  // The configured generator arrives first; filling before would race with it.
  await expect(dialog.getByLabel('Model', { exact: true })).toHaveValue(/openai\/gpt-4.1-mini/);
  await dialog.getByLabel('Model', { exact: true }).fill('openai/gen-test');
  await dialog.getByLabel('Ratios').fill('0.5, 0.7');
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'generate-dialog.png') });
  await dialog.getByRole('button', { name: 'Start' }).click();
  // The new run, not the import before it (the list may not show it yet when the dialog closes).
  const run = page.locator('[data-testid^="run-"]', { hasText: 'generation' });
  await expect(run).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(run).toContainText(/prompted: 4 sources, \d+ new pairs/);
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'runs-generation.png') });
  expect(fake.count('openai')).toBeGreaterThan(0);

  await page.goto(`${studio.base}/#/pairs?strategy=prompted`);
  await expect(page.getByTestId('pairs-count')).toContainText(/[1-9]\d* pairs/);
});

test('a pruned run without a model file is refused with the reason', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/runs`);
  await page.getByRole('button', { name: 'Generate candidates…' }).click();
  const dialog = page.getByRole('form', { name: 'Generate candidates' });
  await dialog.getByLabel('Strategy').selectOption('pruned');
  await dialog.getByLabel('Model', { exact: true }).fill('/nowhere/model.gguf');
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('alert')).toContainText('no GGUF file at /nowhere/model.gguf');
});
