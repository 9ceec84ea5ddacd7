import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

/** `npm start`: the desktop app where it can run, else the same app in a browser. */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('open the project (created if missing) in the desktop app, or in a browser when there is no display')
    .option('--browser', 'use the browser app even where the desktop app can run')
    .option('--port <port>', 'port for the browser app', (v) => Number(v), 4317)
    .action(async (opts: { browser?: boolean; port: number }) =>
      (await import('../actions/start.ts')).start(ctx, opts),
    );
}
