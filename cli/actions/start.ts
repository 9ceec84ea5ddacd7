import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { appRoot } from '../../src/app-root.ts';
import { ensureRendererBuilt } from '../../src/bridge/renderer-build.ts';
import { projectExists } from '../../src/project.ts';
import type { CliContext } from '../main.ts';
import { serveProject } from './serve.ts';

const require = createRequire(import.meta.url);

function hasDisplay(): boolean {
  return (
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  );
}

/**
 * Electron's binary, fetching it once if this install skipped it (npm install scripts are
 * opt-in here, and the download needs internet). Undefined when there is none to be had.
 */
function electronBinary(ctx: CliContext): string | undefined {
  const load = () => {
    try {
      return require('electron') as unknown as string;
    } catch {
      return undefined;
    }
  };
  const found = load();
  if (found) return found;
  ctx.logger.info('Fetching the Electron runtime (once)…');
  const r = spawnSync(process.execPath, [join(appRoot(), 'node_modules', 'electron', 'install.js')], {
    stdio: 'inherit',
    timeout: 300_000,
  });
  if (r.status !== 0) return undefined;
  delete require.cache[require.resolve('electron')];
  return load();
}

/** `npm start`: the desktop app where it can run, else the same app in a browser. */
export async function start(ctx: CliContext, opts: { browser?: boolean; port: number }): Promise<void> {
  const dir = ctx.projectDir();
  if (!projectExists(dir)) ctx.logger.info(`No project in ${dir}: creating one (data/studio.db).`);
  const electron = !opts.browser && hasDisplay() ? electronBinary(ctx) : undefined;
  if (electron) {
    await ensureRendererBuilt((m) => ctx.logger.info(m));
    const built = spawnSync(process.execPath, [join(appRoot(), 'scripts', 'build-electron.mjs')], {
      cwd: appRoot(),
      stdio: 'inherit',
    });
    if (built.status === 0) {
      const child = spawn(electron, [appRoot()], {
        stdio: 'inherit',
        env: { ...process.env, STUDIO_PROJECT: dir },
      });
      await new Promise<void>((resolve) => child.on('close', () => resolve()));
      return;
    }
    ctx.logger.warn('Could not build the desktop app; opening it in a browser instead.');
  } else if (!opts.browser) {
    ctx.logger.info(
      hasDisplay()
        ? 'The Electron runtime is not available: opening the app in a browser.'
        : 'No display: opening the app in a browser (browser mode).',
    );
  }
  await serveProject(ctx, { host: '127.0.0.1', port: opts.port, init: true });
}
