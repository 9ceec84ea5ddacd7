import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openDb, projectDbPath } from '../src/store/db.ts';
import { insertPairs } from '../src/store/pairs.ts';
import { insertSources } from '../src/store/sources.ts';
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

test('an empty "failures" view says nothing was validated and offers to validate', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs?verdict=failures`);
  const empty = page.locator('.empty');
  await expect(empty).toContainText('nothing has been validated yet');
  await expect(empty).toContainText('The project has 4 pairs');
  await expect(empty).not.toContainText('compress --all');
  await empty.getByRole('button', { name: 'Validate all 4 pairs…' }).click();
  await expect(page.getByRole('form', { name: 'Validate this view' })).toBeVisible();
  await page.getByRole('form', { name: 'Validate this view' }).getByRole('button', { name: 'Cancel' }).click();
  // Filters that match nothing say so, with the way back.
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs?search=zzzz-no-such-text`);
  await expect(page.locator('.empty')).toContainText('none matches search “zzzz-no-such-text”');
});

test('exports: a file with content and a toast, or a toast saying why not', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs`);
  await expect(page.getByTestId('pairs-count')).toContainText('4 pairs');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'JSONL', exact: true }).click();
  const file = await download;
  const path = await file.path();
  expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(4);
  await expect(page.getByRole('status').filter({ hasText: 'Exported 4 pairs' })).toBeVisible();
  // No labels yet: no preference pair can be made, and no empty file is downloaded.
  let downloaded = false;
  page.on('download', () => {
    downloaded = true;
  });
  await page.getByRole('button', { name: 'Preference pairs' }).click();
  await expect(page.getByRole('alert')).toContainText('No preference pairs in this view');
  await expect(page.getByRole('alert')).toContainText('approved (or edited) and a rejected');
  expect(downloaded).toBe(false);
});

test('at 1280 px the search placeholder and the compressed column are not cut', async ({ page }) => {
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${studio.base}/?token=${TOKEN}#/pairs`);
    await expect(page.getByTestId('pairs-count')).toContainText('4 pairs');
    const search = page.getByLabel('Search pairs');
    const fits = await search.evaluate((el) => {
      const input = el as HTMLInputElement;
      const ctx = document.createElement('canvas').getContext('2d');
      if (!ctx) return false;
      const style = getComputedStyle(input);
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const padding = Number.parseFloat(style.paddingLeft) + Number.parseFloat(style.paddingRight);
      return ctx.measureText(input.placeholder).width + padding <= input.clientWidth;
    });
    expect(fits).toBe(true);
    // The row fits its table (no horizontal overflow) and the compressed column keeps real room.
    const row = page.locator('.vbody .vrow').first();
    const { overflow, preview } = await row.evaluate((el) => ({
      overflow: el.scrollWidth - el.clientWidth,
      preview: (el.querySelector('.c-preview') as HTMLElement).getBoundingClientRect().width,
    }));
    expect(overflow).toBeLessThanOrEqual(0);
    expect(preview).toBeGreaterThanOrEqual(140);
    await page.screenshot({ path: join(SHOTS, `pairs-${width}.png`) });
  }
});

/** A project of `n` one-pair sources whose compressions all contain "beta" (through the store's inserts). */
function manyPairs(n: number): string {
  const dir = tempProject();
  const db = openDb(projectDbPath(dir));
  const ids = insertSources(
    db,
    Array.from({ length: n }, (_, i) => ({
      ...({ domain: 'nl', format: 'jsonl', language: null, originPath: 'many', metadata: {}, tags: [] } as const),
      text: `Entry ${i}: the alpha report for day ${i % 28}.`,
      title: `entry ${i}`,
      originRef: String(i),
    })),
  ).ids;
  insertPairs(
    db,
    ids.map((sourceId, i) => ({
      sourceId,
      compressed: `E${i} beta d${i % 28}`,
      strategy: 'rules',
      tokensOriginal: 12,
      tokensCompressed: 5,
    })),
  );
  db.close();
  return dir;
}

test('a search with more matches than it counts says "10,000+", counts all on request, and pages on', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const many = await serve(manyPairs(10_300));
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${many.base}/?token=${TOKEN}#/pairs?search=beta`);
    const count = page.getByTestId('pairs-count');
    await expect(count).toContainText('10,000+ pairs match');
    await expect(page.locator('.vbody .vrow[data-index="0"]')).toContainText('entry 0');
    await page.screenshot({ path: join(SHOTS, 'pairs-search-lower-bound.png') });
    // Scrolled to the bound, the table asks for the next page, and the count there reaches the end.
    await page.getByTestId('pairs-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(count).toContainText('10,300 pairs');
    await expect(count).not.toContainText('+');
    await page.getByTestId('pairs-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(page.locator('.vbody .vrow[data-index="10299"]')).toContainText('entry 10299');
    // Another search, from the top, starts over with a bound; "count all" replaces it with the count.
    await page.getByTestId('pairs-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.getByLabel('Search pairs').fill('alpha');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(count).toContainText('10,000+ pairs match');
    await count.getByRole('button', { name: 'count all' }).click();
    await expect(count).toContainText('10,300 pairs');
    await expect(count.getByRole('button', { name: 'count all' })).toHaveCount(0);
    await page.screenshot({ path: join(SHOTS, 'pairs-search-counted.png') });
    // A search under the cap is exact at once, with no button.
    await page.getByLabel('Search pairs').fill('E1029');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(count).toContainText('11 pairs');
    await expect(count.getByRole('button', { name: 'count all' })).toHaveCount(0);
  } finally {
    await many.stop();
    removeProject(many.dir);
  }
});
