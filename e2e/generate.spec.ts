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
  // Before starting: how many sources and tokens, the calls, their price and the time.
  const estimate = dialog.getByTestId('generate-estimate');
  await expect(estimate).toContainText('4 sources');
  await expect(estimate).toContainText('8 candidates');
  await expect(estimate).toContainText('8 calls');
  await expect(estimate).toContainText(/o200k tokens/);
  await expect(estimate).toContainText('price unknown');
  // What the time is reckoned from (review: the pruner's was ~5x low, with nothing to say why).
  await expect(estimate).toContainText('at ~80 tokens/s written a call, 4 calls at a time');
  await dialog.getByLabel('Domain').selectOption('chat');
  await expect(estimate).toContainText('2 sources');
  await dialog.getByLabel('Domain').selectOption('');
  await expect(estimate).toContainText('4 sources');
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', `generate-dialog-${width}.png`) });
  }
  await dialog.getByRole('button', { name: 'Start' }).click();
  // The new run, not the import before it (the list may not show it yet when the dialog closes).
  const run = page.locator('[data-testid^="run-"]', { hasText: 'generation' });
  await expect(run).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(run).toContainText(/prompted: 4 sources, \d+ new pairs/);
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'runs-generation.png') });
  expect(fake.count('openai')).toBeGreaterThan(0);
  // The same job asked again: the sources whose candidates are stored are skipped, and said so.
  await page.getByRole('button', { name: 'Generate candidates…' }).click();
  await dialog.getByLabel('Strategy').selectOption('prompted');
  await expect(dialog.getByLabel('Model', { exact: true })).toHaveValue(/openai\/gpt-4.1-mini/);
  await dialog.getByLabel('Model', { exact: true }).fill('openai/gen-test');
  await dialog.getByLabel('Ratios').fill('0.5, 0.7');
  await expect(estimate).toContainText(/\(\d stored already, skipped\)/);
  // Nothing left to call costs nothing, priced or not, and a job that would make nothing is not
  // offered (before: "≤ $0.0000" and Start enabled).
  await expect(estimate).toContainText('(4 stored already, skipped)');
  await expect(estimate).toContainText('0 candidates');
  await expect(estimate).toContainText('no cost');
  await expect(dialog.getByRole('status')).toContainText(
    'Nothing to generate: every candidate of these sources is stored already',
  );
  await expect(dialog.getByRole('button', { name: 'Start' })).toBeDisabled();
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'generate-dialog-stored.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.goto(`${studio.base}/#/pairs?strategy=prompted`);
  await expect(page.getByTestId('pairs-count')).toContainText(/[1-9]\d* pairs/);
});

test('a pruned run without a model file is refused with the reason', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/runs`);
  await page.getByRole('button', { name: 'Generate candidates…' }).click();
  const dialog = page.getByRole('form', { name: 'Generate candidates' });
  await dialog.getByLabel('Strategy').selectOption('pruned');
  // No GGUF on disk yet: pick "another file" and type a path; it is checked before Start.
  await dialog.getByLabel('GGUF model').selectOption('__browse__');
  await dialog.getByLabel('Model', { exact: true }).fill('/nowhere/model.gguf');
  await expect(dialog.getByRole('status')).toContainText('Cannot start: no GGUF file at /nowhere/model.gguf');
  await expect(dialog.getByRole('button', { name: 'Start' })).toBeDisabled();
  // The server refuses it too, whoever calls.
  const res = await page.request.post(`${studio.base}/api/jobs-generate`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { strategy: 'pruned', model: '/nowhere/model.gguf' },
  });
  expect(res.status()).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toContain('no GGUF file at');
});

test('with no key set, the dialog defaults to a strategy that runs now', async ({ page }) => {
  const keyless = await serve(studio.dir, {
    OPENAI_API_KEY: '',
    ANTHROPIC_API_KEY: '',
    GEMINI_API_KEY: '',
    GOOGLE_API_KEY: '',
  });
  try {
    await page.goto(`${keyless.base}/?token=${TOKEN}#/runs`);
    await page.getByRole('button', { name: 'Generate candidates…' }).click();
    const dialog = page.getByRole('form', { name: 'Generate candidates' });
    await expect(dialog.getByTestId('generate-estimate')).toContainText('sources');
    await expect(dialog.getByLabel('Strategy')).not.toHaveValue('prompted');
    await expect(dialog.getByLabel('Strategy').locator('option[value="prompted"]')).toContainText(
      'needs OPENAI_API_KEY',
    );
    await expect(dialog.getByRole('button', { name: 'Start' })).toBeEnabled();
    // Choosing prompted anyway says what is missing before anything starts.
    await dialog.getByLabel('Strategy').selectOption('prompted');
    await expect(dialog.getByRole('status')).toContainText('openai needs OPENAI_API_KEY');
    await expect(dialog.getByRole('button', { name: 'Start' })).toBeDisabled();
  } finally {
    await keyless.stop();
  }
});

test('generate for a Pairs view or a Library selection: the dialog starts with those sources', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs?domain=code`);
  await expect(page.getByTestId('pairs-count')).toContainText(/[1-9]\d* pairs/);
  await page.getByRole('button', { name: 'Generate for this view…' }).click();
  const dialog = page.getByRole('form', { name: 'Generate candidates' });
  await expect(dialog.getByRole('checkbox', { name: /the sources of the Pairs view/ })).toBeChecked();
  await dialog.getByLabel('Strategy').selectOption('rules');
  await expect(dialog.getByTestId('generate-estimate')).toContainText('2 sources');
  await dialog.getByRole('button', { name: 'Start' }).click();
  await page.goto(`${studio.base}/?token=${TOKEN}#/runs`);
  const run = page.locator('tr[data-testid^="run-"]').first();
  await expect(run).toContainText('rules: 2 sources', { timeout: 30_000 });

  await page.goto(`${studio.base}/?token=${TOKEN}#/library`);
  await page.getByRole('combobox', { name: 'Domain' }).selectOption('chat');
  await page.getByRole('button', { name: /Generate for these 2 sources/ }).click();
  const fromLibrary = page.getByRole('form', { name: 'Generate candidates' });
  await expect(fromLibrary.getByLabel('Domain')).toHaveValue('chat');
  await expect(fromLibrary.getByTestId('generate-estimate')).toContainText('2 sources');
});
