import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBundle, MANIFEST, stampFiles, writeManifestJson } from '../bin/cli-bundle.js';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * A checkout in miniature: the real bin/, a "bundle" and "sources" that each say which they are,
 * and a manifest stamping the one source file. The real bin decides which to run.
 */
describe('bin/studio.js runs the bundle only while it is current', () => {
  let root: string;
  const source = () => join(root, 'cli', 'main.ts');
  const run = () =>
    new Promise<string>((done, fail) =>
      execFile(process.execPath, [join(root, 'bin', 'studio.js')], { cwd: root }, (error, stdout) =>
        error ? fail(error) : done(stdout.trim()),
      ),
    );
  const stampNow = () =>
    writeFileSync(join(root, MANIFEST), writeManifestJson(stampFiles(root, ['cli/main.ts']) ?? [], 'main.js'));

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'studio-bundle-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'cli'));
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    for (const f of ['studio.js', 'cli-bundle.js']) copyFileSync(join(ROOT, 'bin', f), join(root, 'bin', f));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    writeFileSync(source(), "export async function main(): Promise<void> { console.log('sources'); }\n");
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), "export async function main() { console.log('bundle'); }\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('no manifest: the sources', async () => {
    expect(currentBundle(root)).toBeUndefined();
    expect(await run()).toBe('sources');
  }, 60_000);

  it('a manifest that matches: the bundle', async () => {
    stampNow();
    expect(currentBundle(root)).toBe(join(root, 'dist', 'cli', 'main.js'));
    expect(await run()).toBe('bundle');
  }, 60_000);

  it('a source touched, resized or gone since the build: the sources again', async () => {
    stampNow();
    const later = new Date(Date.now() + 5_000);
    utimesSync(source(), later, later);
    expect(currentBundle(root)).toBeUndefined();
    expect(await run()).toBe('sources');

    stampNow();
    expect(await run()).toBe('bundle');
    writeFileSync(source(), "export async function main(): Promise<void> { console.log('sources'); } // edited\n");
    expect(currentBundle(root)).toBeUndefined();
    expect(await run()).toBe('sources');

    stampNow();
    rmSync(source());
    expect(currentBundle(root)).toBeUndefined();
    writeFileSync(source(), "export async function main(): Promise<void> { console.log('sources'); }\n");
  }, 60_000);

  it('a manifest it cannot read: the sources', async () => {
    writeFileSync(join(root, MANIFEST), '{"version": 1, "entry": "main.js", "files": [["cli/main.ts"]]}');
    expect(currentBundle(root)).toBeUndefined();
    writeFileSync(join(root, MANIFEST), 'not json');
    expect(currentBundle(root)).toBeUndefined();
    expect(await run()).toBe('sources');
  }, 60_000);
});
