import { expect, test } from '@playwright/test';
import { pairQueries } from '../bench/pairs-queries.ts';
import { stamp, table, writeSection } from '../bench/results-file.ts';
import { openDb, projectDbPath } from '../src/store/db.ts';
import { insertPairs } from '../src/store/pairs.ts';
import { insertSources } from '../src/store/sources.ts';
import { removeProject, type Studio, serve, TOKEN, tempProject } from './server.ts';

const PAIRS = Number(process.env.SCALE_PAIRS ?? 100_000);
let studio: Studio;

test.describe.configure({ mode: 'serial' });

/** A project with PAIRS pairs: varied domains, strategies, ratios, some verdicts and labels. */
function fill(dir: string): void {
  const db = openDb(projectDbPath(dir));
  const domains = ['nl', 'chat', 'code', 'mixed'] as const;
  const words =
    'order delivery meeting Monday invoice customer refund project deadline budget Maria Chen Lisbon Oslo'.split(' ');
  const BATCH = 5_000;
  for (let start = 0; start < PAIRS; start += BATCH) {
    const n = Math.min(BATCH, PAIRS - start);
    const sources = Array.from({ length: n }, (_, k) => {
      const i = start + k;
      const text = `Record ${i}: the ${words[i % words.length]} for ${words[(i * 7) % words.length]} is due on day ${i % 28} with ${i % 97} items. ${'More detail follows here. '.repeat(1 + (i % 5))}`;
      return {
        text,
        domain: domains[i % 4] as (typeof domains)[number],
        language: null,
        format: 'jsonl' as const,
        title: `record ${i}`,
        originPath: 'scale',
        originRef: String(i),
        metadata: {},
        tags: [],
      };
    });
    const ids = insertSources(db, sources).ids;
    insertPairs(
      db,
      ids.map((sourceId, k) => {
        const i = start + k;
        const tokensOriginal = 40 + (i % 60);
        return {
          sourceId,
          compressed: `R${i}: ${words[i % words.length]} due d${i % 28}, ${i % 97} items.`,
          strategy: i % 3 === 0 ? 'prompted' : 'rules',
          model: i % 3 === 0 ? 'small-model' : '',
          tokensOriginal,
          tokensCompressed: Math.round(tokensOriginal * (0.2 + (i % 70) / 100)),
          tokenizer: 'o200k',
        };
      }),
    );
  }
  // Verdicts and labels on a slice, so those filters have work to do.
  const v = db.prepare(`INSERT INTO verdicts (pair_id, model, method, outcome) VALUES (?, ?, 'judge', ?)`);
  const l = db.prepare(`INSERT INTO labels (pair_id, labeler, decision, comment) VALUES (?, 'ana', ?, ?)`);
  db.transaction(() => {
    for (let id = 1; id <= PAIRS; id += 10) {
      v.run(id, 'model-a', 'equivalent');
      v.run(id, 'model-b', id % 20 === 1 ? 'different' : 'equivalent');
      if (id % 30 === 1) l.run(id, id % 60 === 1 ? 'reject' : 'approve', id % 60 === 1 ? 'loses a date' : null);
    }
  })();
  db.close();
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const dir = tempProject();
  fill(dir);
  studio = await serve(dir);
});
test.afterAll(async () => {
  await studio?.stop();
  if (studio) removeProject(studio.dir);
});

test(`the Pairs page with ${PAIRS.toLocaleString('en-US')} pairs: first paint, scroll to the end, query times`, async ({
  page,
}) => {
  test.setTimeout(300_000);
  // Warm the server (first request opens statements and loads the bundle into cache).
  await page.request.post(`${studio.base}/api/pairs-list`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { limit: 1 },
  });

  const t0 = Date.now();
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs`);
  const firstRow = page.locator('.vbody .vrow[data-index="0"]');
  await expect(firstRow).toContainText('record', { timeout: 10_000 });
  const firstPaintMs = Date.now() - t0;
  await expect(page.getByTestId('pairs-count')).toContainText(`${PAIRS.toLocaleString('en-US')} pairs`);
  // Interactive: a click on a filter is answered.
  const t1 = Date.now();
  await page.getByLabel('Domain').selectOption('code');
  await expect(page.getByTestId('pairs-count')).toContainText(`${(PAIRS / 4).toLocaleString('en-US')} pairs`);
  const filterMs = Date.now() - t1;
  await page.getByLabel('Domain').selectOption('');
  await expect(page.getByTestId('pairs-count')).toContainText(`${PAIRS.toLocaleString('en-US')} pairs`);

  const scroller = page.getByTestId('pairs-scroll');
  const t2 = Date.now();
  await scroller.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  const lastRow = page.locator(`.vbody .vrow[data-index="${PAIRS - 1}"]`);
  await expect(lastRow).toContainText(`record ${PAIRS - 1}`, { timeout: 10_000 });
  const scrollEndMs = Date.now() - t2;
  await page.screenshot({ path: 'e2e/screenshots/pairs-100k-end.png' });

  // Server-side time of each page query the table makes, measured by the API itself.
  const queries = pairQueries(PAIRS);
  const rows: (string | number)[][] = [];
  let worst = 0;
  for (const [name, args] of queries) {
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const res = await page.request.post(`${studio.base}/api/pairs-list`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        data: args,
      });
      const body = (await res.json()) as { result: { ms: number; total: number } };
      times.push(body.result.ms);
      total = body.result.total;
    }
    times.sort((a, b) => a - b);
    const median = times[1] as number;
    worst = Math.max(worst, median);
    rows.push([name, total, median.toFixed(1), median < 50 ? 'yes' : 'NO']);
  }

  writeSection(
    'pairs-ui',
    `## Pairs page at ${PAIRS.toLocaleString('en-US')} pairs

${stamp()} · \`npx playwright test e2e/scale.spec.ts\` (part of \`npm test\`), Debian Chromium headless, \`studio serve\` on loopback

| measure | value | target |
|---|---|---|
| first paint: navigation to the first row on screen | ${firstPaintMs} ms | < 1,000 ms |
| a filter click answered (domain = code, count updated) | ${filterMs} ms | |
| scroll from the top to the last row, rendered with its data | ${scrollEndMs} ms | |

Server-side time of the page query behind each view (median of 3; 200 rows per page):

${table(['query', 'matching pairs', 'ms', '< 50 ms'], rows)}
`,
  );
  // The numbers are for RESULTS.md; the test itself checks behaviour (rows render at both ends).
  expect(worst).toBeGreaterThan(0);
});

test('a row whose page is still on its way cannot be clicked; once it has come, a click opens its pair', async ({
  page,
}) => {
  // Seen in CI: a click on a row opened nothing. A row drawn before its page has come holds "…" and
  // no pair, and its click was dropped in silence; it is now disabled until its page is there.
  await page.goto(`${studio.base}/?token=${TOKEN}#/pairs`);
  await expect(page.locator('.vbody .vrow[data-index="0"]')).toContainText('record', { timeout: 10_000 });
  await page.route(/\/api\/pairs-list$/, async (route) => {
    const args = route.request().postDataJSON() as { offset?: number };
    if ((args.offset ?? 0) > 0) await new Promise((r) => setTimeout(r, 2_000));
    await route.continue();
  });
  await page.getByTestId('pairs-scroll').evaluate((el) => {
    el.scrollTop = el.scrollHeight / 2;
  });
  const row = page.locator('.vbody .vrow[data-index]').nth(30);
  await expect(row).toHaveText('…');
  await expect(row).toBeDisabled();
  await expect(row).toContainText('record', { timeout: 10_000 });
  await expect(row).toBeEnabled();
  const id = (await row.locator('.c-id').textContent()) ?? '';
  await row.click();
  await expect(page).toHaveURL(new RegExp(`#/review\\?.*pair=${id}`));
});
