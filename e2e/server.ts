import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'studio.js');
export const TOKEN = 'e2e-token-0123456789';

export interface Studio {
  dir: string;
  url: string;
  base: string;
  stop(): Promise<void>;
}

/** `studio` as a user runs it, on a temporary project. */
export function cli(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, '-p', dir, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`studio ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
  cli(dir, ['init']);
  return dir;
}

/** Starts `studio serve` on a free port and waits for the URL it prints. */
export async function serve(dir: string, env: Record<string, string> = {}): Promise<Studio> {
  const child: ChildProcess = spawn(process.execPath, [BIN, '-p', dir, 'serve', '--port', '0', '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`studio serve did not start: ${err}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /Open: (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`studio serve exited with ${code}: ${err}`)));
  });
  return {
    dir,
    url,
    base: new URL(url).origin,
    stop: () =>
      new Promise<void>((r) => {
        child.on('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
