import { DomainSchema } from '../../src/contracts/source.ts';
import { InputError } from '../../src/errors/index.ts';
import { countSources, getSource, listSources } from '../../src/store/sources.ts';
import type { SourcesListOptions } from '../commands/sources.ts';
import type { CliContext } from '../main.ts';
import { renderTable } from '../table.ts';
import { withProject } from '../with-project.ts';

/** `studio sources list`: one page of sources as a table or JSON. */
export async function listSourcesCommand(ctx: CliContext, opts: SourcesListOptions): Promise<void> {
  const domain = opts.domain === undefined ? undefined : DomainSchema.safeParse(opts.domain);
  if (domain && !domain.success) throw new InputError(`--domain must be one of ${DomainSchema.options.join(', ')}`);
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
}

/** `studio sources show ID`: the text, or the whole record with --json. */
export async function showSource(ctx: CliContext, id: number, opts: { json?: boolean }): Promise<void> {
  await withProject(ctx, async (project) => {
    const s = getSource(project.db, id);
    if (!s) throw new InputError(`no source with id ${id}`);
    if (opts.json) ctx.out(JSON.stringify(s, null, 2));
    else ctx.out(s.text);
  });
}
