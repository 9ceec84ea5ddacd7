import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { type Db, openDb, projectDbPath } from '../db.ts';

/**
 * Crash harness for the fault suite and bench/security.ts: run the real CLI, kill -9 it midway,
 * and compare what is stored (counts and hashes of the content tables, integrity_check).
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export function studio(dir: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['bin/studio.js', ...args, '--project', dir], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Starts a CLI command and kill -9s it once `ready` says it has written part of its work. */
export async function killMidway(
  dir: string,
  args: string[],
  ready: (db: Db) => boolean,
): Promise<{ killedAt: string }> {
  const child: ChildProcess = spawn(process.execPath, ['bin/studio.js', ...args, '--project', dir], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  exited.then(() => {
    done = true;
  });
  const db = openDb(projectDbPath(dir));
  try {
    for (;;) {
      if (done) throw new Error(`"studio ${args.join(' ')}" finished before it could be killed: make the input larger`);
      if (ready(db)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    return { killedAt: new Date().toISOString() };
  } finally {
    db.close();
  }
}

export function fingerprint(dir: string): { sources: number; pairs: number; sourcesHash: string; pairsHash: string } {
  const db = openDb(projectDbPath(dir));
  try {
    const hash = (rows: unknown[]) => createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    const sources = db
      .prepare(
        `SELECT s.hash, s.domain, s.language, s.format, s.title, s.origin_path, s.origin_ref, s.metadata, s.chars,
           (SELECT group_concat(tag, ',') FROM (SELECT tag FROM source_tags t WHERE t.source_id = s.id ORDER BY tag)) AS tags
         FROM sources s ORDER BY s.hash`,
      )
      .raw()
      .all();
    const pairs = db
      .prepare(
        `SELECT s.hash, p.strategy, p.params_hash, p.model, p.compressed_hash, p.tokens_original, p.tokens_compressed
         FROM pairs p JOIN sources s ON s.id = p.source_id ORDER BY 1, 2, 3, 4, 5`,
      )
      .raw()
      .all();
    return { sources: sources.length, pairs: pairs.length, sourcesHash: hash(sources), pairsHash: hash(pairs) };
  } finally {
    db.close();
  }
}

export function integrity(dir: string): string {
  const db = openDb(projectDbPath(dir));
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
