import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openProject } from '../src/project.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { registerModel } from '../src/store/training.ts';
import { ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

let studio: Studio;
let key = '';

test.beforeAll(async () => {
  const dir = tempProject();
  // A GGUF the project knows, as a fine-tuned compressor would be after `studio train local`.
  const project = openProject({ dir });
  try {
    key = `project:${registerModel(project.db, { name: 'SmolLM2 135M', kind: 'gguf', path: ensureSmolLM2(), base: 'SmolLM2-135M-Instruct', quantization: 'Q4_1' })}`;
  } finally {
    project.close();
  }
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
});

test('the Models page: sizes, a memory estimate, load steps, unload, and a live compression', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const row = page.getByTestId(`model-${key}`);
  await expect(row).toContainText('SmolLM2 135M');
  await expect(row).toContainText('Q4_1');
  await expect(row).toContainText(/\d+\.\d MB/);
  // The configured compressor has no file yet: the row says so instead of offering to load it.
  await expect(page.getByTestId('model-config:compressor')).toContainText('no file');
  await row.getByRole('button', { name: 'Will it fit?' }).click();
  await expect(page.getByTestId(`fit-${key}`)).toContainText(/fits: model .* GiB free of/);
  await row.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId(`state-${key}`)).toContainText('model: ready', { timeout: 60_000 });
  await expect(page.getByTestId(`state-${key}`)).toContainText('context: ready');

  await page
    .getByLabel('Text to compress')
    .fill('Please note that the build is very slow due to the fact that the cache is cold.');
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  const result = page.getByTestId('try-result');
  await expect(result).toContainText('rules');
  await expect(result).toContainText('o200k tokens');
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models.png'), fullPage: true });

  await row.getByRole('button', { name: 'Unload', exact: true }).click();
  await expect(page.getByTestId(`state-${key}`)).toContainText('model: unloaded');
});
