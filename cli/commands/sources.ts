import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { parseIntStrict } from '../options.ts';

export interface SourcesListOptions {
  domain?: string;
  tag?: string;
  search?: string;
  limit: number;
  offset: number;
  json?: boolean;
}

export function registerSources(program: Command, ctx: CliContext): void {
  const sources = program.command('sources').description('list and show imported sources');
  sources
    .command('list', { isDefault: true })
    .description('list sources (id, domain, language, title, size)')
    .option('-d, --domain <domain>', 'nl, chat, code or mixed')
    .option('-t, --tag <tag>', 'only sources with this tag')
    .option('-s, --search <text>', 'only sources whose text or title contains this')
    .option('-n, --limit <n>', 'how many', parseIntStrict('--limit'), 50)
    .option('--offset <n>', 'skip this many', parseIntStrict('--offset'), 0)
    .option('--json', 'print as JSON')
    .action(async (opts: SourcesListOptions) => (await import('../actions/sources.ts')).listSourcesCommand(ctx, opts));
  sources
    .command('show')
    .description('print one source')
    .argument('<id>', 'source id', parseIntStrict('id'))
    .option('--json', 'print as JSON (with metadata)')
    .action(async (id: number, opts: { json?: boolean }) =>
      (await import('../actions/sources.ts')).showSource(ctx, id, opts),
    );
}
