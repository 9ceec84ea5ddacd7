import { basename } from 'node:path';
import { projectContracts } from '../contracts/api/project.ts';
import { computeStats } from '../stats.ts';
import { handlers } from './handler.ts';

export const projectHandlers = handlers(projectContracts, {
  'project-info': async (ctx, _a, caller) => ({
    // A labeler sees the project's name, not where it lives on the server.
    dir: caller.role === 'owner' ? ctx.project.dir : basename(ctx.project.dir),
    dbPath: caller.role === 'owner' ? ctx.project.dbPath : '',
    stats: await computeStats(ctx.project, ['o200k'], undefined, { count: false }),
  }),
  'stats-get': (ctx, a) => computeStats(ctx.project, a.tokenizers),
  whoami: (_ctx, _a, caller) => ({
    role: caller.role,
    name: caller.role === 'labeler' ? caller.name : null,
  }),
});
