import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { parse as parseYaml } from 'yaml';
import { openProject } from '../src/project.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { registerModel } from '../src/store/training.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
let pruner = '';

let studio: Studio;
let key = '';

test.beforeAll(async () => {
  const dir = tempProject();
  // An earlier pruned run was given SmolLM2 by path (as the Generate dialog or the CLI does): the
  // Models page must list that GGUF too, and let it be tried.
  // (A copy at its own path: the file itself is registered below as a project model.)
  pruner = join(dir, 'smollm2-pruner.gguf');
  copyFileSync(ensureSmolLM2(), pruner);
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json')]);
  cli(dir, ['generate', '-s', 'pruned', '-m', pruner, '-d', 'chat', '-r', '0.5']);
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
  // The embedder query-aware selection ranks with is listed too, as it loads: at the first question.
  await expect(page.getByTestId('model-config:embedder')).toContainText('sentence embedder');
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

test('every GGUF the project uses is listed and can be tried: the pruner an earlier run was given', async ({
  page,
}) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const row = page.getByTestId(`model-gguf:${pruner}`);
  await expect(row).toContainText('used by an earlier run');
  await expect(row).toContainText('pruner');
  // The action column is a table cell like the others: its bottom border lines up with the row's.
  const box = await row.boundingBox();
  const cell = await row.locator('td.actions').boundingBox();
  expect(cell && box && Math.abs(cell.y + cell.height - (box.y + box.height))).toBeLessThanOrEqual(1);
  const choose = page.getByLabel('Compress with');
  await choose.selectOption({ label: `rules + ${pruner.split('/').at(-1)} (pruning)` });
  await page
    .getByLabel('Text to compress')
    .fill(
      'Caroline: I went to the LGBTQ support group yesterday and it was so powerful. Melanie: That is wonderful, Caroline! What happened there?',
    );
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  const result = page.getByTestId('try-result');
  await expect(result).toContainText('o200k tokens', { timeout: 60_000 });
  await expect(result).toContainText('rules+pruner');
  await expect(result.locator('table')).toContainText('pruner');
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', `models-${width}.png`), fullPage: true });
  }
});

test('a question turns the try panel into query-aware selection, which says what it kept and why', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const memory = readFileSync(join(ROOT, 'samples', 'memory.txt'), 'utf8');
  await page.getByLabel('Text to compress').fill(memory);
  await page.getByLabel('Question (optional)').fill('When is the Lisbon half marathon?');
  // With a question the select stage runs; the model chosen runs only when the question cannot be used.
  await expect(page.getByLabel('Compress with')).toHaveAttribute('title', /runs only when the question cannot be used/);
  await page.getByLabel('Size').selectOption({ label: 'keep 1/5 (5x)' });
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  const result = page.getByTestId('try-result');
  await expect(result).toContainText('select', { timeout: 60_000 });
  await expect(page.getByTestId('try-notes')).toContainText(/select: kept \d+ of 42 turns for the query/);
  await expect(page.getByTestId('try-notes')).toContainText('BM25 + MiniLM');
  // The turn that answers stays, under its dated session header; small talk elsewhere goes. Telegraphic:
  // the line's last stop goes, the one before "12" stays (no capital shows that break).
  const compressed = result.getByTestId('compressed');
  await expect(compressed).toContainText('Lisbon half marathon. 12 October');
  await expect(compressed).toContainText('Session 1 (9:15 am 3 March 2025):');
  await expect(compressed).not.toContainText('Priya and Tomas');
  const tokens = await result.locator('p').first().textContent();
  const m = /([\d,]+) → ([\d,]+) o200k/.exec(tokens ?? '');
  expect(m).not.toBeNull();
  const [before, after] = [Number(m?.[1]?.replace(/,/g, '')), Number(m?.[2]?.replace(/,/g, ''))];
  expect(after).toBeLessThanOrEqual(Math.ceil(before / 5));
  await page.getByTestId('compressed').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models-query.png') });
  // A question with no word to select by: compressed without it, by the model chosen (review: rules
  // alone ran, 778 -> 764, while the choice read "rules + pruner").
  await page.getByLabel('Compress with').selectOption({ label: `rules + ${pruner.split('/').at(-1)} (pruning)` });
  await page.getByLabel('Question (optional)').fill('Why?');
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByTestId('try-notes')).toContainText('has no word to select by', { timeout: 60_000 });
  await expect(result).toContainText('rules+pruner');
});

/** The Models page's try: `memory` compressed at 2x for a question about coffee, the result shown. */
async function tryWithQuestion(page: Page, memory: string) {
  await page.getByLabel('Text to compress').fill(memory);
  await page.getByLabel('Question (optional)').fill('Can I offer Dana an espresso after dinner?');
  await page.getByLabel('Size').selectOption({ label: 'keep 1/2 (2x)' });
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  const result = page.getByTestId('try-result');
  await expect(result).toContainText('select', { timeout: 60_000 });
  return result;
}

test('a JSON memory with a question comes back as JSON, its relevant records kept', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const memory = JSON.stringify(
    {
      user_profile: { name: 'Dana Okafor', city: 'Lisbon', allergies: ['peanuts', 'shellfish'] },
      memories: [
        { date: '2025-03-01', text: 'Dana booked flights to Lisbon for the half marathon on 12 October.' },
        { date: '2025-03-05', text: 'Dana does not drink coffee after 2 pm because it keeps her awake.' },
        { date: '2025-03-09', text: "Dana's sister Ife is visiting from Lagos in April." },
        { date: '2025-03-12', text: 'Dana prefers window seats and always travels with a carry-on only.' },
      ],
    },
    null,
    2,
  );
  const result = await tryWithQuestion(page, memory);
  await expect(page.getByTestId('try-notes')).toContainText(/select: kept \d of 7 JSON records for the query, as JSON/);
  const compressed = (await result.getByTestId('compressed').textContent()) ?? '';
  const kept = JSON.parse(compressed.trim()) as { memories: { date: string; text: string }[] };
  expect(kept.memories.map((m) => m.date)).toContain('2025-03-05');
  await page.getByTestId('compressed').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models-query-json.png') });
});

test("a YAML memory with a question comes back as YAML, its kept records' comments with them", async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/models`);
  const memory = [
    "# Dana's profile, kept by the assistant",
    'user:',
    '  name: Dana Okafor # preferred: Dana',
    '  city: Lisbon',
    'memories:',
    '- date: 2025-03-01',
    '  text: Dana booked flights to Lisbon for the half marathon on 12 October.',
    '- date: 2025-03-05',
    '  # said twice, keep it',
    '  text: Dana does not drink coffee after 2 pm because it keeps her awake.',
    '- date: 2025-03-09',
    "  text: Dana's sister Ife is visiting from Lagos in April.",
    '- date: 2025-03-12',
    '  text: Dana prefers window seats and always travels with a carry-on only.',
    '',
  ].join('\n');
  const result = await tryWithQuestion(page, memory);
  await expect(page.getByTestId('try-notes')).toContainText(/select: kept \d of 6 YAML records for the query, as YAML/);
  // Its lines as shown: textContent runs the rendered lines together.
  // biome-ignore lint/performance/useDomNodeTextContent: the line breaks are what is read here
  const compressed = await result.getByTestId('compressed').innerText();
  const kept = parseYaml(compressed) as { memories: { date: string; text: string }[] };
  expect(kept.memories.map((m) => m.date)).toContain('2025-03-05');
  // A kept record's comment comes with it; the file's opening comment competes as the records do
  // (review 4, F-23: it had been kept in every output, whatever the question).
  expect(compressed).toContain('  # said twice, keep it\n  text: Dana does not drink coffee');
  await page.getByTestId('compressed').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models-query-yaml.png') });
});

test.describe('pulling the default models', () => {
  let pulled: Studio;
  let target = '';
  test.beforeAll(async () => {
    const dir = tempProject();
    // The pruner's configured place lies under a file at first, so the first pull fails.
    writeFileSync(join(dir, 'blocked'), 'not a folder');
    target = join(dir, 'blocked', 'pruner.gguf');
    pulled = await serve(dir, { STUDIO_PRUNER_MODEL: target });
  });
  test.afterAll(async () => {
    await pulled.stop();
    removeProject(pulled.dir);
  });

  test('the button pulls what studio models pull does, with progress and a clear error', async ({ page }) => {
    await page.goto(`${pulled.base}/?token=${TOKEN}#/models`);
    await expect(page.getByTestId('model-config:pruner')).toContainText('no file');
    const pull = page.getByRole('button', { name: 'Pull the default models' });
    await pull.click();
    const pruner = page.locator('[data-testid^="download-"]', { hasText: 'pull pruner' });
    await expect(pruner).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    await expect(pruner).toContainText(`cannot put the model at ${target}`);
    // The embedder is in place already: kept, and said so.
    const minilm = page.locator('[data-testid^="download-"]', { hasText: 'minilm: already at' });
    await expect(minilm).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models-pull-failed.png'), fullPage: true });

    rmSync(join(pulled.dir, 'blocked'));
    await expect(pull).toBeEnabled();
    await pull.click();
    const placed = page.locator('[data-testid^="download-"]', { hasText: `pruner: ${target}` });
    await expect(placed).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(placed.locator('progress')).toHaveAttribute('value', /^[1-9]\d*$/);
    await expect(page.getByTestId('model-config:pruner')).not.toContainText('no file', { timeout: 10_000 });
    expect(existsSync(target)).toBe(true);
    await page.screenshot({ path: join(ROOT, 'e2e', 'screenshots', 'models-pull.png'), fullPage: true });
  });
});
