import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { openDb, projectDbPath } from '../src/store/db.ts';
import { seedReview } from './review-seed.ts';
import { ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const SHOTS = join(ROOT, 'e2e', 'screenshots');

let studio: Studio;
let seeded: ReturnType<typeof seedReview>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const dir = tempProject();
  seeded = seedReview(dir);
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
});

async function open(page: Page, hash: string, labeler: string): Promise<void> {
  await page.goto(`${studio.base}/?token=${TOKEN}&labeler=${encodeURIComponent(labeler)}${hash}`);
}

interface LabelRow {
  pair_id: number;
  decision: string;
  comment: string | null;
  edited_text: string | null;
  status: string;
  seen_compressed_hash: string | null;
  pair_hash: string;
  compressed: string;
  domain: string;
}

/** The labeler's labels as stored, with the text of the pair each one is on. */
function labelsOf(labeler: string, status = 'submitted'): LabelRow[] {
  const db = openDb(projectDbPath(studio.dir));
  try {
    return db
      .prepare(
        `SELECT l.pair_id, l.decision, l.comment, l.edited_text, l.status, l.seen_compressed_hash, p.compressed_hash AS pair_hash, p.compressed, s.domain
         FROM labels l JOIN pairs p ON p.id = l.pair_id JOIN sources s ON s.id = p.source_id
         WHERE l.labeler = ? AND l.status = ? ORDER BY l.id`,
      )
      .all(labeler, status) as LabelRow[];
  } finally {
    db.close();
  }
}

const focus = (page: Page) => page.getByTestId('focus');

/** Waits until a pair is on the screen and nothing is being saved; returns its id. */
async function ready(page: Page): Promise<number> {
  // Generous: the first pair of a fresh server loads the tokenizers, on a machine shared by many.
  await expect(focus(page)).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(focus(page)).toHaveAttribute('data-saving', 'false', { timeout: 30_000 });
  return Number(await focus(page).getAttribute('data-pair'));
}

/** What the screen shows right now: the header's pair, its compressed text and the hash it will send. */
async function shown(page: Page): Promise<{ title: string; text: string; hash: string }> {
  return page.evaluate(() => {
    const f = document.querySelector('[data-testid="focus"]');
    const c = document.querySelector('[data-testid="compressed"]');
    const t = document.querySelector('[data-testid="focus-title"]');
    return {
      title: t?.textContent ?? '',
      text: (c?.textContent ?? '').replace(/\s+/g, ''),
      hash: f?.getAttribute('data-compressed-hash') ?? '',
    };
  });
}

test('keys do nothing under the ? help, the reject box or a confirmation (finding 1)', async ({ page }) => {
  await open(page, '#/review?domain=code&order=id', 'hana');
  const first = await ready(page);
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  for (const key of ['a', 'a', 's', 'j', 'u', 'e']) await page.keyboard.press(key);
  await page.waitForTimeout(800);
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  expect(labelsOf('hana')).toEqual([]);
  await expect(focus(page)).toHaveAttribute('data-pair', String(first));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();

  // The reject box is a dialog too: what is typed is the comment, never a key.
  await page.keyboard.press('r');
  const comment = page.getByTestId('comment');
  await expect(comment).toBeFocused();
  await page.keyboard.type('sa');
  await expect(comment).toHaveValue('sa');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('reject-dialog')).toBeHidden();
  expect(labelsOf('hana')).toEqual([]);

  // With nothing open, the same key labels the pair on the screen.
  await page.keyboard.press('a');
  await expect.poll(() => labelsOf('hana').map((l) => l.pair_id)).toEqual([first]);
});

test('a failing pair asks once before approval, with its evidence above the fold', async ({ page }) => {
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 860 });
    await open(page, `#/review?pair=${seeded.failing}`, 'ines');
    await ready(page);
    const strip = page.getByTestId('score-strip');
    // Worst model first, each against the pass line of configs/validation.yaml.
    await expect(strip.locator('[data-model]').first()).toHaveAttribute('data-model', 'gpt-4.1');
    await expect(strip.locator('[data-model="gpt-4.1"]')).toHaveAttribute('data-state', 'fail');
    await expect(strip).toContainText('pass line 95 %');
    await expect(strip).toBeInViewport();
    await strip.locator('[data-model="gpt-4.1"]').click();
    const evidence = page.getByTestId('evidence');
    await expect(evidence).toContainText('How much was the adoption agency fee?');
    await expect(evidence).toContainText('Reference answer: $1,200');
    await expect(evidence).toContainText('The text does not say.');
    await expect(evidence).toContainText('judge: The compressed answer lacks $1,200');
    await expect(evidence).toContainText('F1 0.10');
    await expect(evidence).toContainText('similarity 0.410');
    // The lost protected spans are coloured apart in the original.
    await expect(page.getByTestId('original').locator('.drop').filter({ hasText: '12 May' })).toHaveCount(1);
    await expect(page.getByTestId('original').locator('.drop').filter({ hasText: '1:56 pm' })).toHaveCount(1);
    // A "not" dropped while what it negated stayed: the pair says the opposite, and is flagged.
    // (coloured in two pieces: the "not" the compression removed, the words it kept)
    await expect(
      page
        .getByTestId('original')
        .locator('.drop')
        .filter({ hasText: /^not\s*$/ }),
    ).toHaveCount(1);
    await expect(
      page
        .getByTestId('original')
        .locator('.drop')
        .filter({ hasText: /^signing up$/ }),
    ).toHaveCount(1);
    await expect(page.getByTestId('dropped-list').locator('[title="negation"]')).toHaveText('not signing up');
    await page.screenshot({ path: join(SHOTS, `review-focus-${width}.png`) });
  }
  await page.keyboard.press('a');
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('gpt-4.1');
  await page.keyboard.press('s');
  await page.waitForTimeout(300);
  expect(labelsOf('ines')).toEqual([]);
  await page.keyboard.press('Enter');
  await expect.poll(() => labelsOf('ines').map((l) => [l.pair_id, l.decision])).toEqual([[seeded.failing, 'approve']]);
  await expect(confirm).toBeHidden();
});

test('a slow pair fetch racing a label cannot put the label on the wrong pair (finding 2)', async ({ page }) => {
  await open(page, '#/review?order=id&domain=nl', 'jun');
  await ready(page);
  // From now on every answer that saves a label or brings a pair arrives late: keys arrive while
  // the label is being saved and while the next pair is on its way.
  const slow = /\/api\/(pairs-get|review-submit|review-next)$/;
  await page.route(slow, async (route) => {
    await new Promise((r) => setTimeout(r, 900));
    await route.continue();
  });
  const atKeys: { title: string; text: string; hash: string }[] = [];
  for (let round = 0; round < 2; round++) {
    for (const wait of [0, 150, 400, 1000, 1000]) {
      await page.waitForTimeout(wait);
      atKeys.push(await shown(page));
      await page.keyboard.press('a');
    }
    await ready(page);
  }
  await page.unroute(slow);
  await ready(page);
  const labels = labelsOf('jun');
  expect(labels.length).toBeGreaterThanOrEqual(2);
  for (const l of labels) {
    // The label's pair is the one whose header, text and hash were on the screen at a key press.
    const seen = atKeys.find((k) => k.title === `Pair ${l.pair_id}`);
    expect(seen, `label on pair ${l.pair_id} that was never on the screen`).toBeDefined();
    expect(seen?.text).toBe(l.compressed.replace(/\s+/g, ''));
    expect(l.seen_compressed_hash).toBe(l.pair_hash);
    expect(seen?.hash).toBe(l.pair_hash);
  }
  // Pairs on the screen: each labelled at most once, by the first key.
  expect(new Set(labels.map((l) => l.pair_id)).size).toBe(labels.length);
});

test('a pair opened from a filtered Pairs view keeps the filter as the queue (finding 3)', async ({ page }) => {
  await open(page, '#/pairs?domain=code', 'kemal');
  await expect(page.getByTestId('pairs-count')).toContainText('pairs');
  await page.locator('.vbody .vrow').first().click();
  await expect(page).toHaveURL(/#\/review\?.*domain=code.*pair=\d+|#\/review\?.*pair=\d+.*domain=code/);
  await ready(page);
  await expect(page.getByTestId('queue-filter')).toContainText('domain = code');
  for (let i = 0; i < 10; i++) {
    const state = await focus(page).getAttribute('data-state');
    if (state !== 'ready') break;
    await page.keyboard.press('a');
    await expect(page.getByTestId('focus').or(page.getByText('Nothing left to review'))).toBeVisible();
    await page.waitForFunction(() => {
      const f = document.querySelector('[data-testid="focus"]');
      return !f || (f.getAttribute('data-state') === 'ready' && f.getAttribute('data-saving') === 'false');
    });
    if (!(await focus(page).count())) break;
  }
  await expect(page.getByText('Nothing left to review')).toBeVisible();
  // Every code pair was served, but those another labeler holds (the seed's overlap is 10).
  const db = openDb(projectDbPath(studio.dir));
  const codePairs = db
    .prepare(
      `SELECT count(*) FROM pairs p JOIN sources s ON s.id = p.source_id WHERE s.domain = 'code'
       AND NOT EXISTS (SELECT 1 FROM review_leases r WHERE r.pair_id = p.id AND r.labeler <> 'kemal')`,
    )
    .pluck()
    .get() as number;
  db.close();
  expect(codePairs).toBeGreaterThan(2);
  const labels = labelsOf('kemal');
  // (The pair clicked in the table is labelled even when another holds it: the header says so.)
  expect(labels.length).toBeGreaterThanOrEqual(codePairs);
  expect(labels.every((l) => l.domain === 'code')).toBe(true);
  // Leaving the view widens the queue again.
  await page.getByTestId('leave-view').click();
  await ready(page);
  const next = Number(await focus(page).getAttribute('data-pair'));
  expect(labels.map((l) => l.pair_id)).not.toContain(next);
});

test('scroll starts at the top for each pair and the two panes scroll together (finding 4)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, '#/review?search=scrolltest&order=id', 'lea');
  const first = await ready(page);
  expect(first).toBe(seeded.long[0]);
  const original = page.getByTestId('original');
  const compressed = page.getByTestId('compressed');
  expect(await original.evaluate((el) => el.scrollHeight > el.clientHeight * 2)).toBe(true);
  await original.evaluate((el) => {
    el.scrollTop = el.scrollHeight * 0.5;
  });
  // The compressed pane follows, to the line that continues the original's top line.
  const topLine = (el: Element) => {
    const box = el as HTMLElement;
    const line = [...box.children].find(
      (c) => (c as HTMLElement).offsetTop - (box.children[0] as HTMLElement).offsetTop + 4 >= box.scrollTop,
    );
    return Number(/Line (\d+)/.exec(line?.textContent ?? '')?.[1] ?? -1);
  };
  await expect.poll(() => compressed.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
  const a = await original.evaluate(topLine);
  const b = await compressed.evaluate(topLine);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(3);
  // And back: scrolling the compressed pane moves the original.
  await compressed.evaluate((el) => {
    el.scrollTop = 200;
  });
  await expect
    .poll(async () => Math.abs((await original.evaluate(topLine)) - (await compressed.evaluate(topLine))))
    .toBeLessThanOrEqual(3);

  await page.keyboard.press('s');
  await expect(focus(page)).toHaveAttribute('data-pair', String(seeded.long[1]));
  await ready(page);
  expect(await original.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
  expect(await original.evaluate((el) => el.scrollTop)).toBe(0);
  expect(await compressed.evaluate((el) => el.scrollTop)).toBe(0);
});

test('edit shows a live diff against the original and live token counts', async ({ page }) => {
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 860 });
    await open(page, `#/review?pair=${seeded.short[0]}`, 'mona');
    await ready(page);
    await page.keyboard.press('e');
    const editor = page.getByTestId('edited');
    await expect(editor).toBeFocused();
    const tokens = page.getByTestId('edit-tokens');
    await expect(tokens).toContainText(/→ \d+/);
    const before = await tokens.textContent();
    await editor.press('Control+End');
    await editor.pressSequentially(' Then Tomasz flew home to Warsaw.');
    await expect(page.getByTestId('edit-diff').locator('.ins').filter({ hasText: 'Warsaw' })).toHaveCount(1);
    await expect(tokens).not.toHaveText(before ?? '');
    await page.screenshot({ path: join(SHOTS, `review-edit-${width}.png`) });
    if (width === 1280) {
      await editor.press('Escape');
      await expect(page.getByTestId('edit-panel')).toBeHidden();
    }
  }
  await page.getByTestId('edited').press('Control+Enter');
  await expect.poll(() => labelsOf('mona').map((l) => [l.pair_id, l.decision])).toEqual([[seeded.short[0], 'edit']]);
  expect(labelsOf('mona')[0]?.edited_text).toContain('Warsaw');
});

test('the tabs stay where they are when the progress line arrives (a click on Bulk had landed elsewhere)', async ({
  page,
}) => {
  // Seen in a run under load: the progress line came in above the tabs between Playwright's aim and
  // its click, the tabs moved down, and the click on "Bulk" hit the line instead. A user reaching
  // for a tab as the page loads meets the same jump.
  await page.route(/\/api\/review-progress$/, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  // At 900 px the line is longer than the column is wide: it had wrapped to a second row (review).
  for (const width of [1400, 900]) {
    await page.setViewportSize({ width, height: 900 });
    await open(page, '#/review?domain=nl&order=id', 'nora');
    const bulk = page.getByRole('tab', { name: 'Bulk' });
    await expect(bulk).toBeVisible();
    const before = await bulk.boundingBox();
    await expect(page.getByTestId('review-progress')).toContainText(/Everyone: \d/, { timeout: 10_000 });
    expect(await bulk.boundingBox()).toEqual(before);
    if (width === 900) await page.screenshot({ path: join(SHOTS, 'review-progress-900.png') });
  }
});

test('bulk: inline diffs, ratios and scores per row; select from the keyboard, reject with one comment', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, '#/review?domain=nl&order=id', 'nora');
  await page.getByRole('tab', { name: 'Bulk' }).click();
  const rows = page.locator('.bulk-item');
  await expect(rows.first()).toBeVisible();
  await expect(rows.first().locator('.inline-diff .del').first()).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'review-bulk-1280.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: join(SHOTS, 'review-bulk-1440.png') });
  const ids = (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pair'))))).slice(0, 4);
  // x selects the first; Shift+j twice extends the range to the third.
  await page.keyboard.press('x');
  await page.keyboard.press('Shift+J');
  await page.keyboard.press('Shift+J');
  await expect(page.getByTestId('bulk-count')).toContainText('3 selected');
  await page.keyboard.press('r');
  const comment = page.getByTestId('bulk-comment');
  await expect(comment).toBeFocused();
  await comment.fill('drops the invoice date');
  await comment.press('Enter');
  await expect
    .poll(() => labelsOf('nora').map((l) => [l.pair_id, l.decision, l.comment]))
    .toEqual(ids.slice(0, 3).map((id) => [id, 'reject', 'drops the invoice date']));
  // The rejected pairs leave the queue; the cursor's row is approved with a.
  await expect(rows.first()).not.toHaveAttribute('data-pair', String(ids[0]));
  const next = Number(await rows.first().getAttribute('data-pair'));
  await page.keyboard.press('a');
  await expect.poll(() => labelsOf('nora').map((l) => l.pair_id)).toContain(next);
  expect(labelsOf('nora').every((l) => l.seen_compressed_hash === l.pair_hash)).toBe(true);
});
