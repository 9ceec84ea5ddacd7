import type { z } from 'zod';
import type { ImportArgsSchema } from '../contracts/api/sources.ts';
import { sourcesContracts } from '../contracts/api/sources.ts';
import { NotFoundError } from '../errors/index.ts';
import { listProbes } from '../store/probes.ts';
import { sourcePairs, sourceTags } from '../store/source-pairs.ts';
import { countSources, getSource, listSources } from '../store/sources.ts';
import { type ApiContext, importRootsOf } from './context.ts';
import { handlers } from './handler.ts';
import { startRecorded } from './run-requests.ts';

/** Starts an import of paths the API may read; `runs-resume` starts it again with the same arguments. */
export function startImport(ctx: ApiContext, a: z.output<typeof ImportArgsSchema>) {
  const args = { ...a, paths: importRootsOf(ctx).check(a.paths) };
  return startRecorded(ctx, { name: 'sources-import', args }, () => ctx.jobs.startImport(args));
}

export const sourcesHandlers = handlers(sourcesContracts, {
  'sources-list': (ctx, q) => ({
    rows: listSources(ctx.project.db, q).map(({ text, ...s }) => ({ ...s, preview: text.slice(0, 200) })),
    total: countSources(ctx.project.db, {
      ...(q.domain ? { domain: q.domain } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      ...(q.search ? { search: q.search } : {}),
    }),
  }),
  'sources-detail': (ctx, a) => {
    const source = getSource(ctx.project.db, a.id);
    if (!source) throw new NotFoundError(`no source with id ${a.id}`);
    return {
      source,
      tags: sourceTags(ctx.project.db, a.id),
      probes: listProbes(ctx.project.db, a.id),
      pairs: sourcePairs(ctx.project.db, a.id),
    };
  },
  'sources-get': (ctx, a) => {
    const s = getSource(ctx.project.db, a.id);
    if (!s) throw new NotFoundError(`no source with id ${a.id}`);
    return s;
  },
  'sources-import': startImport,
});
