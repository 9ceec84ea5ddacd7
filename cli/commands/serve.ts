import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { collect, parsePort } from '../options.ts';

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  init?: boolean;
  /** Folders `sources-import` may read besides the project (repeatable --allow). */
  allow?: string[];
  /** Host names answered besides loopback and this machine's own (repeatable --allow-host). */
  allowHost?: string[];
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'run the app in a browser: the API over HTTP + Server-Sent Events, bound to 127.0.0.1, with a bearer token',
    )
    .option('--host <host>', 'address to listen on (0.0.0.0 lets labelers on your network connect)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', parsePort, 4317)
    .option('--token <token>', 'use this token instead of a random one (STUDIO_TOKEN)', process.env.STUDIO_TOKEN)
    .option('--allow <dir>', 'also let the app import files from this folder (repeatable)', collect)
    .option('--allow-host <name>', 'also answer to this Host name, e.g. a DNS name labelers use (repeatable)', collect)
    .action(async (opts: ServeOptions) => (await import('../actions/serve.ts')).serveProject(ctx, opts));
}
