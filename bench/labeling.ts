import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { cli, serve, TOKEN } from '../e2e/server.ts';
import { openDb, projectDbPath } from '../src/store/db.ts';
import { insertPairs } from '../src/store/pairs.ts';
import { updateSettings } from '../src/store/settings.ts';
import { insertSources } from '../src/store/sources.ts';
import { stamp, table, writeSection } from './results-file.ts';

const WORK = join(process.cwd(), 'bench', '.work');
const BIN = join(process.cwd(), 'bin', 'studio.js');

/** Lines of prose to build texts from: this repository's own docs. */
function prose(): string[] {
  return ['README.md', 'docs/ARCHITECTURE.md']
    .flatMap((f) => readFileSync(join(process.cwd(), f), 'utf8').split('\n'))
    .map((l) => l.replace(/[`*#|]/g, '').trim())
    .filter((l) => l.length > 40);
}

/** Pairs to label: sources of 4-12 lines, compressed by dropping every third line and some words. */
function seedPairs(dir: string, n: number, lines: string[]): void {
  const db = openDb(projectDbPath(dir));
  try {
    const texts = Array.from(
      { length: n },
      (_v, i) =>
        Array.from({ length: 4 + (i % 9) }, (_w, j) => lines[(i * 11 + j) % lines.length]).join('\n') + `\n(pair ${i})`,
    );
    const { ids } = insertSources(
      db,
      texts.map((text, i) => ({
        text,
        domain: 'nl',
        language: null,
        format: 'text',
        title: `bench text ${i}`,
        originPath: null,
        originRef: null,
        metadata: {},
        tags: ['labeling-bench'],
      })),
    );
    const shorten = (t: string) =>
      t
        .split('\n')
        .filter((_l, j) => j % 3 !== 2)
        .map((l) => l.replace(/\b(the|a|an|that|which|is|are)\b ?/g, ''))
        .join('\n');
    const words = (t: string) => t.split(/\s+/).length;
    insertPairs(
      db,
      ids.map((sourceId, i) => ({
        sourceId,
        compressed: shorten(texts[i] ?? ''),
        strategy: 'rules',
        tokensOriginal: words(texts[i] ?? ''),
        tokensCompressed: words(shorten(texts[i] ?? '')),
      })),
    );
    updateSettings(db, { labelOverlap: 1 });
  } finally {
    db.close();
  }
}

/** A JSONL file of about `megabytes` for the concurrent CLI import. */
async function bigJsonl(file: string, megabytes: number, lines: string[]): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  let i = 0;
  while (bytes < megabytes * 2 ** 20) {
    const text = `${Array.from({ length: 3 + (i % 7) }, (_v, j) => lines[(i * 5 + j) % lines.length]).join(' ')} #${i}`;
    const line = `${JSON.stringify({ id: `imp-${i}`, text })}\n`;
    bytes += Buffer.byteLength(line);
    i++;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return i;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

interface Shown {
  pair: number;
  hash: string;
  text: string;
}

/**
 * A labeler approves `labels` pairs from the keyboard in headless Chromium against `studio serve`
 * while a CLI import of a big JSONL file writes to the same database. Measured in the page: from
 * the key press to the next pair rendered (its attributes committed and the next frame painted).
 * Checked after: every saved label is on the pair, and names the text, that the screen showed when
 * its key was pressed; no API call failed.
 */
export async function benchLabeling(options: { labels?: number; importMb?: number } = {}): Promise<void> {
  const labels = options.labels ?? 100;
  const importMb = options.importMb ?? 64;
  mkdirSync(WORK, { recursive: true });
  const dir = join(WORK, `labeling-${Date.now()}`);
  mkdirSync(dir);
  cli(dir, ['init']);
  const lines = prose();
  seedPairs(dir, labels * 3, lines);
  const jsonl = join(WORK, 'labeling-import.jsonl');
  const records = await bigJsonl(jsonl, importMb, lines);
  const studio = await serve(dir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  let importer: ChildProcess | undefined;
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => {
      if (r.url().includes('/api/')) failed.push(`failed ${r.url()}`);
    });
    await page.goto(`${studio.base}/?token=${TOKEN}&labeler=bench#/review?order=id`);
    const focus = page.getByTestId('focus');
    const ready = async () => {
      await focus.and(page.locator('[data-state="ready"][data-saving="false"]')).waitFor({ timeout: 60_000 });
    };
    await ready();
    // In the page: the time of each `a` and the first frame painted with the next pair.
    await page.evaluate(() => {
      const w = window as unknown as { __bench: { keyAt: number; pair: string; samples: number[] } };
      const f = document.querySelector('[data-testid="focus"]');
      w.__bench = { keyAt: 0, pair: f?.getAttribute('data-pair') ?? '', samples: [] };
      window.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'a') w.__bench.keyAt = performance.now();
        },
        true,
      );
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="focus"]');
        const b = w.__bench;
        if (!el || !b.keyAt || el.getAttribute('data-state') !== 'ready') return;
        const pair = el.getAttribute('data-pair') ?? '';
        if (pair === b.pair) return;
        const at = b.keyAt;
        b.keyAt = 0;
        b.pair = pair;
        requestAnimationFrame(() => b.samples.push(performance.now() - at));
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-pair'] });
    });

    const t0 = performance.now();
    importer = spawn(process.execPath, [BIN, '-p', dir, 'import', jsonl, '--json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let importErr = '';
    importer.stderr?.on('data', (d) => {
      importErr += d;
    });
    let importEndedAt: number | null = null;
    let importCode: number | null = null;
    importer.on('exit', (code) => {
      importEndedAt = performance.now() - t0;
      importCode = code;
    });
    // Let the import get going before the first key.
    await page.waitForTimeout(1500);

    const shown: Shown[] = [];
    // Per label: whether the import was still writing when its key was pressed.
    const duringImport: boolean[] = [];
    for (let i = 0; i < labels; i++) {
      await ready();
      shown.push(
        await page.evaluate(() => {
          const f = document.querySelector('[data-testid="focus"]');
          return {
            pair: Number(f?.getAttribute('data-pair')),
            hash: f?.getAttribute('data-compressed-hash') ?? '',
            text: (document.querySelector('[data-testid="compressed"]')?.textContent ?? '').replace(/\s+/g, ''),
          };
        }),
      );
      duringImport.push(importEndedAt === null);
      await page.keyboard.press('a');
      await page.waitForFunction(
        (n) => (window as unknown as { __bench: { samples: number[] } }).__bench.samples.length >= n,
        i + 1,
        { timeout: 60_000 },
      );
    }
    const labelSeconds = (performance.now() - t0) / 1000;
    const importRunning = importEndedAt === null;
    const samples = (await page.evaluate(
      () => (window as unknown as { __bench: { samples: number[] } }).__bench.samples,
    )) as number[];
    if (importer.exitCode === null) {
      importer.kill('SIGTERM');
      await once(importer, 'exit');
    }
    if (importCode !== null && importCode !== 0)
      failed.push(`import exited with ${importCode}: ${importErr.slice(-300)}`);
    if (/database is locked/i.test(importErr)) failed.push('import: database is locked');

    // What was saved, against what was on the screen at each key.
    const db = openDb(projectDbPath(dir));
    const saved = db
      .prepare(
        `SELECT l.pair_id, l.seen_compressed_hash, p.compressed_hash, p.compressed FROM labels l JOIN pairs p ON p.id = l.pair_id
         WHERE l.labeler = 'bench' AND l.status = 'submitted' ORDER BY l.id`,
      )
      .all() as { pair_id: number; seen_compressed_hash: string; compressed_hash: string; compressed: string }[];
    const imported = db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
    db.close();
    let wrong = 0;
    for (const [i, l] of saved.entries()) {
      const s = shown[i];
      const ok =
        s !== undefined &&
        s.pair === l.pair_id &&
        s.hash === l.compressed_hash &&
        l.seen_compressed_hash === l.compressed_hash &&
        s.text === l.compressed.replace(/\s+/g, '');
      if (!ok) wrong++;
    }
    wrong += Math.abs(labels - saved.length);
    const sorted = [...samples].sort((a, b) => a - b);
    const during = samples.filter((_x, i) => duringImport[i]).sort((a, b) => a - b);
    const after = samples.filter((_x, i) => !duringImport[i]).sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const p95 = quantile(sorted, 0.95);
    const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '–');
    const importState = importRunning
      ? `still running when the last label was saved (stopped after)`
      : `finished ${((importEndedAt ?? 0) / 1000).toFixed(1)} s after the start (labels took ${labelSeconds.toFixed(1)} s)`;
    const body = `## Labeling: ${labels} pairs from the keyboard under a concurrent import

${stamp()}. Command: \`npm run bench -- labeling\` (\`BENCH_LABELING_IMPORT_MB\` sets the import size).

Headless Chromium against \`studio serve\` approves ${labels} pairs with \`a\` (queue by id, ${labels * 3} pairs
seeded) while \`studio import\` of a generated ${importMb} MiB JSONL (${records.toLocaleString('en-US')} records) writes
to the same database; the import was ${importState}. Load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} (other work shares the machine). Time is measured in the page, from the key press to the first
frame painted with the next pair. Each saved label is compared with what the screen showed when its key was pressed
(pair id, compressed text and its hash).

${table(
  ['measure', 'value', 'target'],
  [
    ['labels saved', saved.length, labels],
    ['labels on the wrong pair (or text)', wrong, '0'],
    ['failed calls', failed.length, '0'],
    ['median key → next pair rendered', ms(median), '< 150 ms'],
    ['p95 key → next pair rendered', ms(p95), ''],
    [
      `median / p95 while the import wrote (${during.length} labels)`,
      `${ms(quantile(during, 0.5))} / ${ms(quantile(during, 0.95))}`,
      '',
    ],
    [
      `median / p95 after it ended (${after.length} labels)`,
      `${ms(quantile(after, 0.5))} / ${ms(quantile(after, 0.95))}`,
      '',
    ],
    ['slowest', ms(sorted.at(-1) ?? Number.NaN), ''],
    ['sources in the database after', imported, ''],
  ],
)}
${failed.length ? `\nFailed calls: ${failed.slice(0, 5).join('; ')}` : ''}
${median < 150 ? 'Median within the target.' : 'Median OVER the 150 ms target on this machine.'}`;
    writeSection('labeling', body);
    console.log(
      `labeling: ${saved.length} labels, ${wrong} wrong, ${failed.length} failed calls, median ${ms(median)}, p95 ${ms(p95)} (during the import ${ms(quantile(during, 0.5))}/${ms(quantile(during, 0.95))} over ${during.length}, after ${ms(quantile(after, 0.5))}/${ms(quantile(after, 0.95))}); import ${importState}; load ${loadavg()[0]?.toFixed(1)}`,
    );
  } finally {
    if (importer && importer.exitCode === null && importer.signalCode === null) importer.kill('SIGTERM');
    await browser.close();
    await studio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
