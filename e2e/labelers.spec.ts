import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

// Issue 12: the owner invites a labeler from Settings; the invite link opens the Review page only,
// under the labeler's name (no name to type), and stops working when revoked.

const SHOTS = join(ROOT, 'e2e', 'screenshots');
let studio: Studio;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const dir = tempProject();
  const file = join(dir, 'pairs.jsonl');
  writeFileSync(
    file,
    [1, 2, 3]
      .map((i) =>
        JSON.stringify({
          id: `p${i}`,
          original: `Alice moved to Lisbon on ${i} May 2023 and started a job at the harbour office.`,
          compressed: `Alice moved to Lisbon ${i} May 2023, harbour office job.`,
        }),
      )
      .join('\n'),
  );
  cli(dir, ['import', file]);
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
});

let invite = '';

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

test('the owner invites a labeler from Settings and gets a link to copy', async ({ page }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/settings`);
  const card = page.getByTestId('labelers');
  await card.getByLabel('Labeler name').fill('ann');
  await card.getByRole('button', { name: 'Invite' }).click();
  const url = card.getByTestId('invite-url');
  await expect(url).toHaveValue(new RegExp(`^${studio.base}/\\?token=lab_[\\w-]+#/review$`));
  invite = await url.inputValue();
  await expect(card.getByTestId('labelers-table')).toContainText('ann');
  await shoot(page, 'settings-labelers');
});

test('the invite link opens Review as that labeler, and nothing else', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(invite);
  await expect(page.getByTestId('nav-labeler')).toHaveText('Labeling as ann');
  await expect(page.getByTestId('labeler')).toHaveText('ann');
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await expect(nav.getByRole('link')).toHaveText(['Review']);
  // The token left the address bar; another page's address still shows Review.
  expect(page.url()).not.toContain('token=');
  await page.goto(`${studio.base}/#/settings`);
  await expect(page.getByTestId('labeler')).toHaveText('ann');
  await expect(page.getByRole('heading', { name: 'Settings' })).toHaveCount(0);
  // The labeler reads the pair it was served (pairs-get is theirs to call).
  await expect(page.getByText('harbour office job').first()).toBeVisible({ timeout: 30_000 });
  await shoot(page, 'labeler-review');
  await context.close();
});

test('a revoked link stops working', async ({ page, browser }) => {
  await page.goto(`${studio.base}/?token=${TOKEN}#/settings`);
  const card = page.getByTestId('labelers');
  await card.getByRole('button', { name: 'revoke' }).click();
  await expect(card.getByTestId('labelers-table')).toHaveCount(0);
  const token = new URL(invite).searchParams.get('token') ?? '';
  const res = await page.request.post(`${studio.base}/api/whoami`, {
    headers: { authorization: `Bearer ${token}` },
    data: {},
  });
  expect(res.status()).toBe(401);
  const context = await browser.newContext();
  const labeler = await context.newPage();
  await labeler.goto(invite);
  await expect(labeler.getByTestId('link-refused')).toContainText('revoked');
  await expect(labeler.getByTestId('nav-labeler')).toHaveCount(0);
  await labeler.setViewportSize({ width: 1280, height: 900 });
  await labeler.screenshot({ path: join(SHOTS, 'labeler-revoked-1280.png') });
  await context.close();
});
