import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** The address `studio serve` uses when nothing else is said (cli/commands/serve.ts --port). */
export const DEFAULT_SERVE_PORT = 4317;

const ServeFileSchema = z.object({ origin: z.url(), pid: z.number().int().positive() });

/** Where a running `studio serve` says which address it listens on, so `studio labelers add` can link to it. */
const serveFile = (projectDir: string) => join(projectDir, 'data', 'serve.json');

/** The first non-internal IPv4 address: what a labeler on the same network types. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** The origin labelers should open for a server bound to `host` on `port`. */
export function publicOrigin(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const shown = wildcard ? (lanAddress() ?? '127.0.0.1') : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export function recordServeOrigin(projectDir: string, origin: string): () => void {
  const file = serveFile(projectDir);
  writeFileSync(file, JSON.stringify({ origin, pid: process.pid }));
  return () => {
    try {
      const now = ServeFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (now.success && now.data.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The origin of the running `studio serve` of this project (data/serve.json, if its process is
 * alive), else the default address on this machine's network address.
 */
export function inviteOrigin(projectDir: string): string {
  const file = serveFile(projectDir);
  if (existsSync(file)) {
    try {
      const rec = ServeFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (rec.success && alive(rec.data.pid)) return rec.data.origin;
    } catch {
      // a torn or hand-edited file: fall back to the default
    }
  }
  return publicOrigin('0.0.0.0', DEFAULT_SERVE_PORT);
}

/** The invite link: the origin, the token (the app moves it out of the address bar) and the Review page. */
export function inviteLink(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/?token=${encodeURIComponent(token)}#/review`;
}
