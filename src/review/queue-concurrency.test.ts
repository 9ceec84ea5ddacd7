import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../io/import.ts';
import type { Project } from '../project.ts';
import { setUpTempProject } from '../store/testing/project-fixture.ts';
import { writeBigJsonl } from './__fixtures__/big-jsonl.ts';

// Issue 12, finding 5: with `studio import big.jsonl` running, 4 labelers looping next + submit got
// 192 of 320 "database is locked" errors. Read-then-write transactions now start IMMEDIATE and wait.
const ROOT = resolve(import.meta.dirname, '..', '..');
const LOOP = join(import.meta.dirname, '__fixtures__', 'labeler-loop.ts');
const BIG_RECORDS = 150_000;

let dir: string;
let project: Project;

function run(
  cmd: string,
  args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, done: new Promise((r) => child.on('exit', (code) => r({ code, out }))) };
}

setUpTempProject('studio-concurrency-', (t) => ({ dir, project } = t), { per: 'file' });
beforeAll(async () => {
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
  await writeBigJsonl(join(dir, 'big.jsonl'), BIG_RECORDS);
});

describe('labeling beside a large import', () => {
  it('4 labelers in their own processes get zero failed calls while `studio import` writes', async () => {
    const importer = run(process.execPath, [
      'bin/studio.js',
      'import',
      join(dir, 'big.jsonl'),
      '--project',
      dir,
      '--json',
    ]);
    let importDone = false;
    const imported = importer.done.then((r) => {
      importDone = true;
      return r;
    });
    // Start labeling once the import is writing.
    const deadline = Date.now() + 60_000;
    while (
      !project.db.prepare(`SELECT 1 FROM runs WHERE kind = 'import' AND status = 'running'`).get() &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    const labelers = ['ana', 'ben', 'chi', 'dev'].map((name) =>
      run(process.execPath, ['--import', 'tsx', LOOP, project.dbPath, name, '80']),
    );
    const results = await Promise.all(labelers.map((l) => l.done));
    const stillImporting = !importDone;
    const imp = await imported;
    expect(imp.code, imp.out).toBe(0);
    const parsed = results.map((r) => {
      expect(r.code, r.out).toBe(0);
      return JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as {
        calls: number;
        nextCalls: number;
        failed: number;
        labelled: number;
        errors: string[];
      };
    });
    const failed = parsed.reduce((n, p) => n + p.failed, 0);
    expect(parsed.flatMap((p) => p.errors)).toEqual([]);
    expect(failed).toBe(0);
    expect(parsed.reduce((n, p) => n + p.nextCalls, 0)).toBe(320);
    expect(parsed.every((p) => p.labelled > 0)).toBe(true);
    // The point of the test: the labelers ran while the import was writing.
    expect(stillImporting).toBe(true);
    const sources = project.db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
    expect(sources).toBe(400 + BIG_RECORDS);
  }, 300_000);
});
