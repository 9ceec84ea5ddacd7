import type { Command } from 'commander';
import { DomainSchema } from '../../src/contracts/source.ts';
import { InputError } from '../../src/errors/index.ts';
import { countSources, getSource, listSources } from '../../src/store/sources.ts';
import type { CliContext } from '../main.ts';
import { renderTable } from '../table.ts';
import { parseIntStrict, withProject } from '../with-project.ts';

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
    .action(
      async (opts: {
        domain?: string;
        tag?: string;
        search?: string;
        limit: number;
        offset: number;
        json?: boolean;
      }) => {
        const domain = opts.domain === undefined ? undefined : DomainSchema.safeParse(opts.domain);
        if (domain && !domain.success)
          throw new InputError(`--domain must be one of ${DomainSchema.options.join(', ')}`);
        await withProject(ctx, async (project) => {
          const query = {
            ...(domain?.success ? { domain: domain.data } : {}),
            ...(opts.tag ? { tag: opts.tag } : {}),
            ...(opts.search ? { search: opts.search } : {}),
          };
          const rows = listSources(project.db, { ...query, limit: Math.max(1, opts.limit), offset: opts.offset });
          if (opts.json) {
            ctx.out(JSON.stringify(rows, null, 2));
            return;
          }
          const total = countSources(project.db, query);
          ctx.out(
            renderTable(
              ['id', 'domain', 'language', 'title', 'chars', 'tags'],
              rows.map((s) => [
                s.id,
                s.domain,
                s.language ?? '-',
                (s.title ?? s.originRef ?? '').slice(0, 48),
                s.chars,
                s.tags.join(',').slice(0, 30),
              ]),
            ),
          );
          ctx.out(`\n${rows.length} of ${total.toLocaleString('en-US')} shown`);
        });
      },
    );
  sources
    .command('show')
    .description('print one source')
    .argument('<id>', 'source id', parseIntStrict('id'))
    .option('--json', 'print as JSON (with metadata)')
    .action(async (id: number, opts: { json?: boolean }) => {
      await withProject(ctx, async (project) => {
        const s = getSource(project.db, id);
        if (!s) throw new InputError(`no source with id ${id}`);
        if (opts.json) ctx.out(JSON.stringify(s, null, 2));
        else ctx.out(s.text);
      });
    });
}
