import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';

export const rendererDist = () => join(appRoot(), 'dist', 'renderer');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/**
 * Builds the renderer when its bundle is missing or older than its sources (a checkout after a
 * pull). A packaged app ships the bundle and has no sources, so this does nothing there.
 */
export async function ensureRendererBuilt(log: (m: string) => void): Promise<string> {
  const root = appRoot();
  const dist = rendererDist();
  const index = join(dist, 'index.html');
  const sources = join(root, 'renderer');
  if (!existsSync(sources)) return dist;
  const stale =
    !existsSync(index) || Math.max(newest(sources), newest(join(root, 'src', 'contracts'))) > statSync(index).mtimeMs;
  if (!stale) return dist;
  log('Building the app (first start or sources changed)…');
  const vite = await import('vite');
  await vite.build({ configFile: join(root, 'vite.config.ts'), root: sources, logLevel: 'warn' });
  return dist;
}
