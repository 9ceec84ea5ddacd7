import { resumability } from '../jobs/resumable.ts';
import type { Run } from '../store/runs.ts';
import { type ApiContext, hasKeyIn } from './context.ts';

/** Runs with whether "Resume" can succeed (never for a key that is still missing). */
export function withResume(ctx: ApiContext, runs: Run[]) {
  const hasKey = hasKeyIn(ctx);
  return runs.map((r) => ({ ...r, resume: resumability(ctx.project.db, r, hasKey) }));
}
