import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type FakeServers, fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';
import { cli, ROOT, removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const FIXTURES = join(ROOT, 'src', 'io', '__fixtures__');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
let fake: FakeServers;
let studio: Studio;

test.beforeAll(async () => {
  fake = await startFakeServers({ answer: readingModel });
  const dir = tempProject();
  cli(dir, ['import', join(FIXTURES, 'locomo-mini.json'), join(FIXTURES, 'humaneval-mini.jsonl')]);
  cli(dir, ['compress', '--all']);
  studio = await serve(dir, fakeProviderEnv(fake.url));
});
test.afterAll(async () => {
  await studio.stop();
  removeProject(studio.dir);
  await fake.close();
});

/** Starts "Validate this view" on a Pairs view from the UI, with the given validator. */
async function startValidation(page: Page, view: string, validator: string): Promise<void> {
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs?${view}`);
  await page.getByRole('button', { name: 'Validate this view…' }).click();
  const dialog = page.getByRole('form', { name: 'Validate this view' });
  await expect(dialog.getByLabel('Validators')).toHaveValue(/anthropic\//);
  await dialog.getByLabel('Validators').fill(validator);
  await dialog.getByLabel('Judge').fill('openai/judge-test');
  await dialog.getByLabel('Prober').fill('openai/prober-test');
  await dialog.getByRole('button', { name: 'Start validation' }).click();
  await expect(page).toHaveURL(/#\/runs/);
}

test('a job started in the UI is listed at once, and its progress counts calls while answers are written', async ({
  page,
}) => {
  // Every call takes 1.2 s: one pair's first probe needs a probe call, two answers and a judgement.
  fake.latencyMs = 1200;
  const t0 = Date.now();
  await startValidation(page, 'domain=chat', 'anthropic/claude-test');
  const run = page.locator('[data-testid^="run-"]', { hasText: 'validation' }).first();
  await expect(run).toHaveAttribute('data-status', 'running', { timeout: 3_000 });
  // Listed before its first item could have finished (that takes at least four calls).
  expect(Date.now() - t0).toBeLessThan(4 * fake.latencyMs + 2_000);
  await expect(run).toContainText(/calls/);
  // It moves while answers are written, long before any pair is done.
  const bar = run.getByRole('progressbar');
  await expect(bar).not.toHaveAttribute('aria-valuenow', '0', { timeout: 10_000 });
  const seen = Number(await bar.getAttribute('aria-valuenow'));
  expect(seen).toBeGreaterThan(0);
  expect(seen).toBeLessThan(100);
  await expect(run).toContainText(/\d+ \/ \d+ calls · (answering|judging|judged|probes)/);
  await page.screenshot({ path: join(SHOTS, 'runs-progress.png') });
  fake.latencyMs = 0;
  await expect(run).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(run).toContainText('anthropic/claude-test: 2/2 pass');
});

test('cancel shows "cancelling" at once, then "cancelled" within a call', async ({ page }) => {
  // A validator these pairs have not seen: nothing is cached, and each call takes 6 s.
  fake.latencyMs = 6000;
  await startValidation(page, 'domain=chat', 'anthropic/claude-slow');
  // The newest run is listed first.
  const run = page.locator('tr[data-testid^="run-"]').first();
  await expect(run).toContainText('validation', { timeout: 3_000 });
  await expect(run).toHaveAttribute('data-status', 'running');
  // "Cancelling" lasts until the call in flight is aborted, which can be a moment: the page records
  // whether the row ever showed it with its explanation, so two checks in turn cannot miss it
  // between them (seen in CI: the status was "cancelling", then "cancelled" before the text was read).
  await page.evaluate(() => {
    const w = window as unknown as { sawCancelling: boolean };
    w.sawCancelling = false;
    const check = () => {
      const row = document.querySelector('tr[data-testid^="run-"]');
      if (
        row?.getAttribute('data-status') === 'cancelling' &&
        row.textContent?.includes('stopping after the call or step in flight')
      )
        w.sawCancelling = true;
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
  // The server's answers come late (it has stopped the job by then), as under load: the row must say
  // "cancelling" from the click, not from the next list of runs, which says "cancelled" already.
  // Before, in a CI run, it went from "running" to "cancelled" with nothing between.
  await page.route(/\/api\/(runs-cancel|runs-list)$/, async (route) => {
    const response = await route.fetch();
    await new Promise((r) => setTimeout(r, 2_500));
    await route.fulfill({ response });
  });
  const t0 = Date.now();
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { sawCancelling: boolean }).sawCancelling), {
      timeout: 2_000,
    })
    .toBe(true);
  await page.screenshot({ path: join(SHOTS, 'runs-cancelling.png') });
  await expect(run).toHaveAttribute('data-status', 'cancelled', { timeout: fake.latencyMs });
  // The call in flight was aborted: less than the one call's latency, not the pair's several.
  expect(Date.now() - t0).toBeLessThan(fake.latencyMs);
  fake.latencyMs = 0;
  // Cancelled with its key present: resuming can succeed, so it is offered.
  await expect(run.getByRole('button', { name: 'Resume' })).toBeVisible();
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `runs-${width}.png`) });
  }
});
