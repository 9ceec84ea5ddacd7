import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAppContext } from '../src/app-context.ts';
import { startBridge } from '../src/bridge/http-server.ts';
import { runSecurityProbe } from '../src/bridge/testing/security-probe.ts';
import { importPaths } from '../src/io/import.ts';
import { openProject } from '../src/project.ts';
import { writeBigJsonl } from '../src/review/__fixtures__/big-jsonl.ts';
import type { Db } from '../src/store/db.ts';
import { fingerprint, integrity, killMidway, studio } from '../src/store/testing/crash-harness.ts';
import { stamp, table, writeSection } from './results-file.ts';

/**
 * The security and fault section (issue 12): bad files into the importer (records lost must be 0),
 * kill -9 during import and compress (integrity and an exact rerun), labelers beside a large import
 * (failed calls must be 0), the pathological regex's time, and the bridge's route table and fuzzer.
 */
const WORK = join(process.cwd(), 'bench', '.work', 'security');
const LOOP = join(process.cwd(), 'src', 'review', '__fixtures__', 'labeler-loop.ts');

const good = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}`, text: `${prefix} good record ${i}.` }));

/** Every kind of bad file the issue names, beside good records whose loss would be counted. */
async function badFiles(dir: string) {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
  const files: { name: string; fault: string; content: string | Buffer; good: number; sparse?: number }[] = [
    {
      name: 'deep.jsonl',
      fault: 'record nested 20,000 levels deep',
      content: `${[...good('a', 900), `{"text":"deep","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, ...good('b', 500)].join('\n')}\n`,
      good: 1400,
    },
    {
      name: 'other.jsonl',
      fault: '(none: the good file beside it)',
      content: `${good('c', 960).join('\n')}\n`,
      good: 960,
    },
    {
      name: 'latin1.jsonl',
      fault: 'invalid UTF-8 line',
      content: Buffer.concat([Buffer.from(`${good('d', 10).join('\n')}\n{"text":"`), latin1, Buffer.from('"}\n')]),
      good: 10,
    },
    {
      name: 'latin1.csv',
      fault: 'invalid UTF-8 row',
      content: Buffer.concat([
        Buffer.from(`id,text\n${Array.from({ length: 10 }, (_, i) => `e${i},csv good ${i}`).join('\n')}\nbad,`),
        latin1,
        Buffer.from('\n'),
      ]),
      good: 10,
    },
    {
      name: 'quote.csv',
      fault: 'unclosed quote',
      content: `id,text\n${Array.from({ length: 5 }, (_, i) => `f${i},quoted good ${i}`).join('\n')}\nf9,"never closed\nmore\n`,
      good: 5,
    },
    {
      name: 'broken.jsonl',
      fault: 'line that is not JSON',
      content: `${good('g', 3).join('\n')}\n{"text": oops\n`,
      good: 3,
    },
    {
      name: 'long.jsonl',
      fault: 'line above maxRecordBytes (1 MiB here)',
      content: `${good('h', 2).join('\n')}\n${JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) })}\n`,
      good: 2,
    },
    { name: 'empty.jsonl', fault: 'empty file', content: '', good: 0 },
    { name: 'empty.csv', fault: 'empty file', content: '', good: 0 },
    { name: 'huge.dat', fault: '600 MB file of unknown type (sparse)', content: '', good: 0, sparse: 600 * 2 ** 20 },
    { name: 'binary.dat', fault: 'binary file of unknown type', content: Buffer.from([0x7f, 0x45, 0, 1]), good: 0 },
  ];
  const project = openProject({ dir: join(dir, 'project'), create: true, env: {} });
  const paths = files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.content);
    if (f.sparse) truncateSync(path, f.sparse);
    return path;
  });
  const started = performance.now();
  const summary = await importPaths(project.db, paths, {
    config: { ...project.config.import, maxRecordBytes: 2 ** 20 },
  });
  const ms = performance.now() - started;
  const stored = project.db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
  project.close();
  const expected = files.reduce((n, f) => n + f.good, 0);
  return {
    files: files.filter((f) => f.fault !== '(none: the good file beside it)').length,
    faults: files.map((f) => f.fault).filter((f) => !f.startsWith('(none')),
    expected,
    stored,
    lost: expected - stored,
    issues: summary.issueCount,
    named: summary.issues.filter((i) => paths.includes(i.file)).length,
    ms,
  };
}

async function kills(dir: string) {
  mkdirSync(dir, { recursive: true });
  const importCorpus = join(dir, 'import.jsonl');
  const compressCorpus = join(dir, 'compress.jsonl');
  await writeBigJsonl(importCorpus, 50_000, 'imp');
  await writeBigJsonl(compressCorpus, 1_500, 'cmp', true);
  const results: { what: string; integrity: string; partial: number; same: boolean }[] = [];
  const count = (t: 'sources' | 'pairs') => (db: Db) =>
    (db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number) > 0;
  for (const [what, setup, args, t] of [
    ['studio import (50,000 records)', [], ['import', importCorpus], 'sources'],
    ['studio compress --all (1,500 sources)', [['import', compressCorpus]], ['compress', '--all'], 'pairs'],
  ] as const) {
    const clean = join(dir, `clean-${t}`);
    const crashed = join(dir, `crashed-${t}`);
    for (const d of [clean, crashed]) {
      studio(d, ['init']);
      for (const s of setup) studio(d, [...s]);
    }
    studio(clean, [...args]);
    const expected = fingerprint(clean);
    await killMidway(crashed, [...args], count(t));
    const afterKill = integrity(crashed);
    const partial = fingerprint(crashed)[t];
    studio(crashed, [...args]);
    const rerun = fingerprint(crashed);
    results.push({
      what,
      integrity: afterKill === 'ok' && integrity(crashed) === 'ok' ? 'ok' : afterKill,
      partial,
      same: JSON.stringify(rerun) === JSON.stringify(expected),
    });
  }
  return results;
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', () => resolve(out));
  });
}

async function concurrentLabeling(dir: string) {
  const project = openProject({ dir: join(dir, 'labeling'), create: true, env: {} });
  const pairs = join(dir, 'pairs.jsonl');
  writeFileSync(
    pairs,
    Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({
        id: `p${i}`,
        original: `Pair ${i}: the full original sentence.`,
        compressed: `Pair ${i}: short.`,
      }),
    ).join('\n'),
  );
  await importPaths(project.db, [pairs], { config: project.config.import });
  const big = join(dir, 'big.jsonl');
  await writeBigJsonl(big, 150_000);
  const importer = runChild(['bin/studio.js', 'import', big, '--project', project.dir, '--json']);
  while (!project.db.prepare(`SELECT 1 FROM runs WHERE kind = 'import' AND status = 'running'`).get())
    await new Promise((r) => setTimeout(r, 50));
  const outs = await Promise.all(
    ['ana', 'ben', 'chi', 'dev'].map((n) => runChild(['--import', 'tsx', LOOP, project.dbPath, n, '80'])),
  );
  const importStillRunning = !!project.db
    .prepare(`SELECT 1 FROM runs WHERE kind = 'import' AND status = 'running'`)
    .get();
  await importer;
  project.close();
  const parsed = outs.map(
    (o) =>
      JSON.parse(o.trim().split('\n').pop() ?? '{}') as {
        calls: number;
        nextCalls: number;
        failed: number;
        labelled: number;
      },
  );
  return {
    calls: parsed.reduce((n, p) => n + p.calls, 0),
    nextCalls: parsed.reduce((n, p) => n + p.nextCalls, 0),
    failed: parsed.reduce((n, p) => n + p.failed, 0),
    labelled: parsed.reduce((n, p) => n + p.labelled, 0),
    importStillRunning,
  };
}

async function regexAndProbe(dir: string) {
  const project = openProject({ dir: join(dir, 'bridge'), create: true, env: {} });
  const file = join(dir, 'evil.jsonl');
  writeFileSync(file, `${JSON.stringify({ original: `${'a'.repeat(28)}!`, compressed: `${'a'.repeat(28)}!` })}\n`);
  await importPaths(project.db, [file], { config: project.config.import });
  const app = createAppContext(project);
  const owner = 'bench-owner-token-0123456789';
  mkdirSync(join(dir, 'static'), { recursive: true });
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>app</title>');
  const bridge = await startBridge({
    ctx: app.ctx,
    port: 0,
    token: owner,
    staticDir: join(dir, 'static'),
    uploadDir: join(dir, 'uploads'),
  });
  const base = `http://127.0.0.1:${bridge.port}`;
  const post = (name: string, body: unknown, token = owner) =>
    fetch(`${base}/api/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  try {
    const started = performance.now();
    const evil = post('pairs-list', { search: '(a+)+$', regex: true }).then((r) => ({
      status: r.status,
      ms: performance.now() - started,
    }));
    const other = await post('pairs-list', { limit: 1 });
    const otherMs = performance.now() - started;
    const evilDone = await evil;
    const added = (await (await post('labelers-add', { name: 'bench' })).json()) as { result: { token: string } };
    const probe = await runSecurityProbe({ base, ownerToken: owner, labelerToken: added.result.token });
    return { evilMs: evilDone.ms, evilStatus: evilDone.status, otherMs, otherStatus: other.status, probe };
  } finally {
    await bridge.close();
    await app.close();
    project.close();
  }
}

export async function benchSecurity(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const bad = await badFiles(join(WORK, 'bad'));
  console.log('security: bad files', bad);
  const regex = await regexAndProbe(join(WORK, 'regex'));
  console.log('security: regex and probe', { ...regex, probe: { ...regex.probe, statuses: undefined } });
  const labeling = await concurrentLabeling(join(WORK, 'labeling'));
  console.log('security: concurrent labeling', labeling);
  const killed = await kills(join(WORK, 'kills'));
  console.log('security: kills', killed);
  const survived = killed.filter((k) => k.integrity === 'ok' && k.same).length;
  const p = regex.probe;
  writeSection(
    'security',
    `## security

${stamp()}. \`npm run bench -- security\` (bench/security.ts).

${table(
  ['measure', 'value'],
  [
    ['bridge requests sent (route table + fuzz + liveness)', p.requests],
    ['fuzz cases (seed 12)', p.fuzzCases],
    ['route-table violations', p.violations.length],
    ['5xx answers (other than retryable 503)', p.serverErrors.length],
    ['server still answering after the probe', p.aliveAfter ? 'yes' : 'no'],
    ['bad files tried (one import with 1 good file beside them)', bad.files],
    ['issues reported (each naming its file, and line where there is one)', `${bad.issues} (${bad.named} named)`],
    ['good records expected / stored', `${bad.expected} / ${bad.stored}`],
    ['records lost', bad.lost],
    ['kills survived (kill -9, integrity_check ok, rerun identical)', `${survived} of ${killed.length}`],
    [
      'concurrent labeling: failed calls (4 labeler processes beside a 150,000-record CLI import)',
      `${labeling.failed} of ${labeling.calls} calls (${labeling.nextCalls} next, ${labeling.labelled} labels)`,
    ],
    ['`(a+)+$` over "a" x 28 + "!" (pairs-list over HTTP)', `${regex.evilMs.toFixed(0)} ms (HTTP ${regex.evilStatus})`],
    ['a request sent meanwhile answered after', `${regex.otherMs.toFixed(0)} ms (HTTP ${regex.otherStatus})`],
  ],
)}

Bad files: ${bad.faults.join('; ')}. Kills: ${killed
      .map(
        (k) =>
          `${k.what} killed with ${k.partial.toLocaleString('en-US')} rows stored, integrity ${k.integrity}, rerun ${k.same ? 'identical (counts and hashes)' : 'DIFFERENT'}`,
      )
      .join(
        '; ',
      )}. The labelers ran while the import was ${labeling.importStillRunning ? 'still running' : 'already done (make it larger)'}.
Before issue 12: the regex took 72 s and froze the server; 192 of 320 \`review-next\` calls failed with "database is locked"; the deep record lost all 2,360 good records.`,
  );
}
