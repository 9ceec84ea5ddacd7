import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
let studio: Studio;

test.beforeAll(async () => {
  const dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  cli(dir, ['compress', '--all']);
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
});

test('clicking a source in the Library opens its page: text, metadata, QA and all its pairs', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/library`);
  const chat = page.locator('[data-testid^="source-row-"]', { hasText: 'chat' }).first();
  await chat.click();
  await expect(page).toHaveURL(/#\/source\?id=\d+/);
  const source = page.getByTestId('source-page');
  await expect(source.getByRole('heading', { level: 1 })).not.toBeEmpty();
  await expect(source).toContainText('chat');
  await expect(source.locator('pre.text')).not.toBeEmpty();
  // LoCoMo's questions come with the source: the QA list shows them with their answers.
  await expect(page.getByTestId('source-qa').locator('li').first()).toContainText('→');
  const pairs = page.getByTestId('source-pairs');
  await expect(pairs.locator('tbody tr')).toHaveCount(1);
  await expect(pairs).toContainText('rules');
  await expect(pairs).toContainText('not validated');
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `source-${width}.png`), fullPage: true });
  }
  // Each pair opens in Review.
  await pairs.getByRole('link', { name: 'Review →' }).click();
  await expect(page).toHaveURL(/#\/review\?pair=\d+/);
});

test('a code source shows its metadata (entry point, tests) and its pair', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/library`);
  await page.locator('[data-testid^="source-row-"]', { hasText: 'code' }).first().click();
  const source = page.getByTestId('source-page');
  await expect(source).toContainText('python');
  await expect(source.locator('.kv')).toContainText('entryPoint');
  await expect(page.getByTestId('source-pairs').locator('tbody tr')).toHaveCount(1);
});
