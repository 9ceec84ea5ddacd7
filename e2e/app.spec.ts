import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
const SHOTS = join(ROOT, 'e2e', 'screenshots');

let studio: Studio;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  studio = await serve(tempProject());
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
});

async function open(page: Page, hash = '', labeler?: string): Promise<void> {
  const q = labeler ? `&labeler=${encodeURIComponent(labeler)}` : '';
  await page.goto(`${studio.base}/?token=${TOKEN}${q}${hash}`);
}

async function api<T>(page: Page, name: string, args: unknown): Promise<T> {
  const res = await page.request.post(`${studio.base}/api/${name}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: args,
  });
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { result: T }).result;
}

test('an empty project says what to do next', async ({ page }) => {
  await open(page, '#/pairs');
  await expect(page.getByText('No pairs yet')).toBeVisible();
  await expect(page.getByText('npx studio compress --all')).toBeVisible();
  await open(page, '#/library');
  await expect(page.getByText('No sources yet')).toBeVisible();
  // The count line has no stray separator when there is nothing to list after it.
  await expect(page.locator('.page-head p.muted')).toHaveText('0 sources');
});

test('import files with a progress bar and a per-file error report', async ({ page }) => {
  await open(page, '#/library');
  await page
    .getByTestId('import-files')
    .setInputFiles([
      join(FIXTURES, 'mixed.jsonl'),
      join(FIXTURES, 'locomo-mini.json'),
      join(FIXTURES, 'humaneval-mini.jsonl'),
    ]);
  const result = page.getByTestId('import-result');
  await expect(result).toContainText('succeeded', { timeout: 30_000 });
  await expect(result).toContainText('9 records: 9 new, 0 already there, 3 rejected');
  await expect(page.getByRole('progressbar').first()).toHaveAttribute('aria-valuenow', '100');
  const issues = page.getByTestId('import-issues');
  await expect(issues).toContainText('mixed.jsonl:5');
  await expect(issues).toContainText('not valid JSON');
  await expect(issues).toContainText('(body) expected text, got number');
  await expect(page.locator('table.table tbody tr')).toHaveCount(9 + 3);
  await page.screenshot({ path: join(SHOTS, 'library.png'), fullPage: true });
});

test("a job's progress reaches 100 % on the Runs page", async ({ page }) => {
  await open(page, '#/runs');
  await page.getByRole('button', { name: 'Compress every source with the rules' }).click();
  const row = page.locator('[data-testid^="run-"][data-status]').first();
  await expect(row).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  // The three sources the rules leave as they are make no pair, and the line says so.
  await expect(row).toContainText('9 sources, 6 new pairs, 0 already stored, 3 left as they were');
  await page.screenshot({ path: join(SHOTS, 'runs.png'), fullPage: true });
});

test('the pairs table filters, keeps its filters in the URL, and opens a pair', async ({ page }) => {
  await open(page, '#/pairs');
  await expect(page.getByTestId('pairs-count')).toContainText('7 pairs');
  await page.getByLabel('Domain').selectOption('code');
  await expect(page.getByTestId('pairs-count')).toContainText('2 pairs');
  expect(page.url()).toContain('domain=code');
  await page.screenshot({ path: join(SHOTS, 'pairs.png'), fullPage: true });
  // The same view from its link, in a fresh page.
  const url = page.url();
  await page.goto(url);
  await expect(page.getByTestId('pairs-count')).toContainText('2 pairs');
  await page.getByLabel('Domain').selectOption('');
  await page.getByLabel('Search pairs').fill('Elm Street');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByTestId('pairs-count')).toContainText(/^1 pairs|^2 pairs/);
  await page.locator('.vbody .vrow').first().click();
  // The view's filters go along to Review: they stay its queue (issue 13, finding 3).
  await expect(page).toHaveURL(/#\/review\?search=Elm\+Street&pair=\d+/);
});

test('review from the keyboard: approve, undo, reject with a comment', async ({ page }) => {
  await open(page, '#/review', 'ana');
  const focus = page.getByTestId('focus');
  await expect(focus).toHaveAttribute('data-pair', /\d+/);
  const first = await focus.getAttribute('data-pair');
  await expect(page.getByTestId('token-table')).toContainText('o200k');
  await expect(page.getByTestId('matrix-empty')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'review-focus.png'), fullPage: true });

  await page.keyboard.press('a');
  await expect(page.getByText(`Pair ${first}: approve`)).toBeVisible();
  await expect(focus).not.toHaveAttribute('data-pair', first ?? '');
  await expect(page.getByTestId('review-progress')).toContainText('1 approved');

  await page.keyboard.press('u');
  await expect(page.getByText(`Undid your label on pair ${first}`)).toBeVisible();
  await expect(focus).toHaveAttribute('data-pair', first ?? '');
  await expect(page.getByTestId('review-progress')).toContainText('0 approved');

  // Rejecting without a comment is not possible: the box opens and asks for one.
  await page.keyboard.press('r');
  const comment = page.getByTestId('comment');
  await expect(comment).toBeFocused();
  await expect(page.getByRole('button', { name: 'Reject with comment' })).toBeDisabled();
  await comment.fill('drops the speaker names');
  await page.screenshot({ path: join(SHOTS, 'review-reject.png'), fullPage: true });
  await comment.press('Enter');
  await expect(page.getByText(`Pair ${first}: reject`)).toBeVisible();
  await expect(page.getByTestId('review-progress')).toContainText('1 rejected');

  const detail = await api<{ labels: { labeler: string; decision: string; comment: string; status: string }[] }>(
    page,
    'pairs-get',
    { id: Number(first) },
  );
  expect(detail.labels.filter((l) => l.status === 'submitted')).toEqual([
    expect.objectContaining({ labeler: 'ana', decision: 'reject', comment: 'drops the speaker names' }),
  ]);

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'help.png') });
  await page.keyboard.press('Escape');
});

test('two labelers never get the same pair at once', async ({ browser }) => {
  // Ten more pairs, so both labelers have plenty to go through.
  const extra = join(studio.dir, 'extra.jsonl');
  writeFileSync(
    extra,
    Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        original: `Note ${i}: the delivery for order ${1000 + i} arrives on Monday at 9 am.`,
        compressed: `Order ${1000 + i}: Mon 9am.`,
      }),
    ).join('\n'),
  );
  cli(studio.dir, ['import', extra]);
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pa = await a.newPage();
  const pb = await b.newPage();
  await open(pa, '#/review', 'lena');
  await open(pb, '#/review', 'omar');
  const fa = pa.getByTestId('focus');
  const fb = pb.getByTestId('focus');
  await expect(fa).toHaveAttribute('data-pair', /\d+/);
  await expect(fb).toHaveAttribute('data-pair', /\d+/);
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const x = (await fa.getAttribute('data-pair')) ?? '';
    const y = (await fb.getAttribute('data-pair')) ?? '';
    expect(x).not.toBe(y);
    seen.add(x);
    seen.add(y);
    await pa.keyboard.press('a');
    await expect(fa).not.toHaveAttribute('data-pair', x);
    await pb.keyboard.press('a');
    await expect(fb).not.toHaveAttribute('data-pair', y);
  }
  expect(seen.size).toBe(6);
  await a.close();
  await b.close();
});

test('a request without the token gets 401', async ({ page }) => {
  const res = await page.request.post(`${studio.base}/api/pairs-list`, { data: {} });
  expect(res.status()).toBe(401);
  const sse = await page.request.get(`${studio.base}/events`);
  expect(sse.status()).toBe(401);
});

test('settings, placeholders and the dark theme', async ({ page }) => {
  await open(page, '#/settings');
  await expect(page.getByText('not set (ANTHROPIC_API_KEY)')).toBeVisible();
  await expect(page.getByText('Validation thresholds')).toBeVisible();
  await expect(page.locator('section.card', { hasText: 'Validation thresholds' })).toContainText('95 %');
  await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
  await open(page, '#/train');
  // No training run yet: the page says how to get one, and what the approved pairs will become.
  await expect(page.getByText('No training runs yet')).toBeVisible();
  await expect(page.getByText(/approved pairs become the training set/)).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'train-empty.png') });
  await open(page, '#/models');
  await page.screenshot({ path: join(SHOTS, 'models.png') });
  await page.getByRole('button', { name: /Dark/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await open(page, '#/review', 'ana');
  await expect(page.getByTestId('focus')).toHaveAttribute('data-pair', /\d+/);
  await page.screenshot({ path: join(SHOTS, 'review-dark.png'), fullPage: true });
  await open(page, '#/pairs');
  await expect(page.getByTestId('pairs-count')).toContainText('pairs');
  await page.screenshot({ path: join(SHOTS, 'pairs-dark.png') });
});

test('a job started from the CLI shows up live in the open app', async ({ page }) => {
  await open(page, '#/runs');
  await expect(page.getByTestId('run-1')).toBeVisible();
  const before = await page.locator('[data-testid^="run-"]').count();
  cli(studio.dir, ['compress', '--all', '--domain', 'code']);
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(before + 1, { timeout: 10_000 });
  await expect(page.locator('[data-testid^="run-"]').first()).toHaveAttribute('data-status', 'succeeded');
});

test('the score matrix shows each model per probe, with both answers one click away', async ({ page }) => {
  const { openDb, projectDbPath } = await import('../src/store/db.ts');
  const db = openDb(projectDbPath(studio.dir));
  const pair = db
    .prepare(
      "SELECT p.id, p.source_id, p.compressed_hash, s.hash FROM pairs p JOIN sources s ON s.id = p.source_id WHERE s.domain = 'chat' LIMIT 1",
    )
    .get() as {
    id: number;
    source_id: number;
    compressed_hash: string;
    hash: string;
  };
  const probe = db
    .prepare(
      "INSERT INTO probes (source_id, kind, question, reference, hash, origin) VALUES (?, 'qa', 'Where is the pottery class?', 'Elm Street', 'h1', 'test') RETURNING id",
    )
    .pluck()
    .get(pair.source_id) as number;
  const answer = db.prepare(
    "INSERT INTO answers (probe_id, model, context_hash, text, request_hash) VALUES (?, ?, ?, ?, 'r')",
  );
  const verdict = db.prepare(
    "INSERT INTO verdicts (pair_id, probe_id, model, method, outcome) VALUES (?, ?, ?, 'judge', ?)",
  );
  answer.run(probe, 'model-a', pair.hash, 'At the community centre on Elm Street.');
  answer.run(probe, 'model-a', pair.compressed_hash, 'On Elm Street.');
  answer.run(probe, 'model-b', pair.hash, 'Elm Street community centre.');
  answer.run(probe, 'model-b', pair.compressed_hash, 'I do not know.');
  verdict.run(pair.id, probe, 'model-a', 'equivalent');
  verdict.run(pair.id, probe, 'model-b', 'different');
  db.close();

  await open(page, `#/review?pair=${pair.id}`, 'ana');
  const matrix = page.locator('table.matrix');
  await expect(matrix).toContainText('model-a');
  await expect(matrix).toContainText('model-b');
  await matrix.locator('button.o-different').click();
  await expect(page.locator('.answers')).toContainText('I do not know.');
  await expect(page.locator('.answers')).toContainText('Elm Street community centre.');
  // The table's verdict filters see the verdicts.
  await open(page, '#/pairs?verdict=failures');
  await expect(page.getByTestId('pairs-count')).toContainText('1 pairs');
  await open(page, '#/pairs?verdict=models-disagree');
  await expect(page.getByTestId('pairs-count')).toContainText('1 pairs');
  await open(page, `#/review?pair=${pair.id}`, 'ana');
  await expect(page.locator('table.matrix')).toContainText('model-a');
  await page.screenshot({ path: join(SHOTS, 'review-matrix.png'), fullPage: true });
  // A researcher rewords a probe: saved, and its old answers and verdicts are dropped.
  await page.getByTestId('probes').getByRole('button', { name: 'edit' }).first().click();
  await page.getByLabel('Question').fill('Where exactly is the pottery class held?');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('probes')).toContainText('Where exactly is the pottery class held?');
  await expect(page.getByTestId('matrix-empty')).toBeVisible();
  await open(page, '#/pairs?verdict=failures');
  await expect(page.getByTestId('pairs-count')).toContainText('0 pairs');
});
