import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProject } from '../src/project.ts';
import { hashToken, labelerForToken } from '../src/store/labelers.ts';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'studio.js');

function studio(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((r) => {
    execFile(
      process.execPath,
      [BIN, '-p', dir, ...args],
      { env: { ...process.env, STUDIO_PROJECT: '' } },
      (e, stdout, stderr) => r({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('studio labelers (real child processes, real SQLite file)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-labelers-'));
    expect((await studio(dir, ['init'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds with a token and an invite link, lists, revokes', async () => {
    const add = await studio(dir, ['labelers', 'add', 'Ann Lee', '--json']);
    expect(add.code).toBe(0);
    const { name, token, url } = JSON.parse(add.stdout) as { name: string; token: string; url: string };
    expect(name).toBe('Ann Lee');
    expect(token).toMatch(/^lab_[\w-]{32}$/);
    // No serve running: the default address on this machine's network address.
    expect(url).toMatch(new RegExp(`^http://[\\d.]+:4317/\\?token=${token}#/review$`));
    const again = await studio(dir, ['labelers', 'add', 'Ann Lee']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const list = JSON.parse((await studio(dir, ['labelers', 'list', '--json'])).stdout) as { name: string }[];
    expect(list.map((l) => l.name)).toEqual(['Ann Lee']);

    const project = openProject({ dir });
    try {
      expect(labelerForToken(project.db, token)).toBe('Ann Lee');
      const stored = project.db.prepare('SELECT token_hash FROM labelers').pluck().get();
      expect(stored).toBe(hashToken(token));
    } finally {
      project.close();
    }

    expect((await studio(dir, ['labelers', 'revoke', 'Ann Lee'])).code).toBe(0);
    expect((await studio(dir, ['labelers', 'revoke', 'Ann Lee'])).stderr).toMatch(/no active labeler/);
    const after = openProject({ dir });
    try {
      expect(labelerForToken(after.db, token)).toBeNull();
    } finally {
      after.close();
    }
    expect(JSON.parse((await studio(dir, ['labelers', 'list', '--all', '--json'])).stdout)).toHaveLength(1);
    expect((await studio(dir, ['labelers', 'add', 'bad/name'])).stderr).toMatch(/letters, digits/);
  });

  it('links to the running studio serve of the project', async () => {
    // What `studio serve` writes while it runs (src/bridge/invite.ts), with a live pid.
    writeFileSync(
      join(dir, 'data', 'serve.json'),
      JSON.stringify({ origin: 'http://10.9.8.7:5555', pid: process.pid }),
    );
    const { url, token } = JSON.parse((await studio(dir, ['labelers', 'add', 'bo', '--json'])).stdout);
    expect(url).toBe(`http://10.9.8.7:5555/?token=${token}#/review`);
    rmSync(join(dir, 'data', 'serve.json'));
  });
});
