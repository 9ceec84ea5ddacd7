import { join, resolve } from 'node:path';
import { createAppContext } from '../../src/app-context.ts';
import { startBridge } from '../../src/bridge/http-server.ts';
import { recordServeOrigin } from '../../src/bridge/invite.ts';
import { ensureRendererBuilt } from '../../src/bridge/renderer-build.ts';
import { InputError } from '../../src/errors/index.ts';
import { openProject, projectExists } from '../../src/project.ts';
import type { ServeOptions } from '../commands/serve.ts';
import type { CliContext } from '../main.ts';
import { waitForStop } from '../wait-for-stop.ts';

/** Starts the browser app for a project and keeps running until interrupted. */
export async function serveProject(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const dir = ctx.projectDir();
  if (!projectExists(dir) && !opts.init)
    throw new InputError(`No project in ${dir}: run "studio init" there first (or pass --project).`);
  const staticDir = await ensureRendererBuilt((m) => ctx.logger.info(m));
  const project = openProject({ dir, create: Boolean(opts.init) });
  const app = createAppContext(project);
  const start = (port: number) =>
    startBridge({
      ctx: app.ctx,
      host: opts.host,
      port,
      ...(opts.token ? { token: opts.token } : {}),
      staticDir,
      uploadDir: join(project.dir, 'data', 'uploads'),
      allowRoots: (opts.allow ?? []).map((d) => resolve(d)),
      allowHosts: opts.allowHost ?? [],
    });
  let bridge: Awaited<ReturnType<typeof start>>;
  try {
    bridge = await start(opts.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.port === 0) throw error;
    ctx.logger.info(`Port ${opts.port} is taken: using a free one.`);
    bridge = await start(0);
  }
  // `studio labelers add` links to this address while it runs.
  const forget = recordServeOrigin(project.dir, bridge.origin);
  ctx.out(`Compression Studio is running for ${project.dbPath}`);
  ctx.out(`Open: ${bridge.url}`);
  for (const d of opts.allow ?? []) ctx.logger.info(`Importing by path is allowed from ${resolve(d)}`);
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost') {
    ctx.logger.warn(
      `Listening on ${opts.host}: the link above holds the owner's token and can do everything; give labelers their own links ("studio labelers add NAME"), which can only label.`,
    );
  }
  ctx.logger.info('Press Ctrl+C to stop.');
  await waitForStop();
  ctx.logger.info('Stopping…');
  forget();
  await bridge.close();
  await app.close();
  project.close();
}
